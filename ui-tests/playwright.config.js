/**
 * Browser tests: real JupyterLab (with this extension installed), a real ipykernel,
 * Debian's Chromium, and the project's local Messages API server as the upstream.
 */
const crypto = require('crypto');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

// One random key per run; tests scan every response for it. Workers inherit it.
process.env.CLAUDE_TEST_KEY = process.env.CLAUDE_TEST_KEY || `sk-ant-test-${crypto.randomBytes(18).toString('hex')}`;
process.env.MOCK_API_PORT = process.env.MOCK_API_PORT || '18765';
const mockUrl = `http://127.0.0.1:${process.env.MOCK_API_PORT}`;
// Both ports can be moved so two test runs can share a machine.
const labPort = process.env.LAB_PORT || '8888';
const labUrl = `http://localhost:${labPort}`;
process.env.MOCK_API_URL = mockUrl;

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
];

module.exports = {
  ...baseConfig,
  // One upstream with one script queue: tests run one at a time.
  workers: 1,
  fullyParallel: false,
  timeout: 120000,
  expect: { timeout: 20000 },
  retries: 0,
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    ...baseConfig.use,
    baseURL: labUrl,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: chromiumArgs
    },
    video: 'off',
    trace: 'off',
    permissions: ['clipboard-read', 'clipboard-write']
  },
  webServer: [
    {
      command: `python -m mock_api --port ${process.env.MOCK_API_PORT} --api-key ${process.env.CLAUDE_TEST_KEY}`,
      cwd: '..',
      url: `${mockUrl}/_mock/health`,
      timeout: 30000,
      reuseExistingServer: false
    },
    {
      command: `jlpm start --port=${labPort}`,
      url: `${labUrl}/lab`,
      timeout: 120000,
      reuseExistingServer: false,
      env: {
        ...process.env,
        ANTHROPIC_API_KEY: process.env.CLAUDE_TEST_KEY,
        ANTHROPIC_BASE_URL: mockUrl
      }
    }
  ]
};
