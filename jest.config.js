const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

const esModules = [
  '@codemirror',
  '@jupyter/ydoc',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@jupyterlab/',
  '@microsoft',
  'exenv-es6',
  'github-slugger',
  'lib0',
  'marked',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

const common = {
  ...baseConfig,
  moduleFileExtensions: [...baseConfig.moduleFileExtensions, 'py'],
  transform: {
    ...baseConfig.transform,
    // The code sent to Python kernels is imported as text, as the extension bundle does.
    '\\.py$': '@jupyterlab/testing/lib/jest-raw-loader.js'
  },
  automock: false,
  cacheDirectory: '<rootDir>/.jest-cache',
  rootDir: __dirname,
  modulePathIgnorePatterns: [
    '<rootDir>/.venv/',
    '<rootDir>/jupyterlab_claude/labextension/',
    '<rootDir>/ui-tests/',
    '<rootDir>/lib/'
  ],
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
delete common.reporters;
delete common.testTimeout;
delete common.coverageDirectory;
delete common.coverageReporters;

module.exports = {
  reporters: ['default'],
  testTimeout: 30000,
  projects: [
    {
      // Pure logic that uses the Anthropic SDK: Node, no DOM (the SDK refuses jsdom).
      ...common,
      displayName: 'node',
      testEnvironment: 'node',
      setupFiles: [],
      testRegex:
        'src/((claude|context|kernel|agent|session|usage|mcp|skills)/__tests__/.*|panel/__tests__/.*\\.node)\\.spec\\.ts$',
      // The sessions' stand-in makes sessions, whose panel adapter needs JupyterLab's DOM shims.
      testPathIgnorePatterns: ['/node_modules/', 'src/session/__tests__/lazy\\.spec\\.ts$']
    },
    {
      // Logic on JupyterLab's own models (a real NotebookModel) needs its DOM shims.
      ...common,
      displayName: 'jupyterlab',
      testRegex:
        'src/((proposals|panel|hypotheses)/__tests__/.*|__tests__/commands|session/__tests__/lazy)\\.spec\\.ts$',
      // Pure text logic beside the panel runs in Node (`*.node.spec.ts`), in the project above.
      testPathIgnorePatterns: ['/node_modules/', '\\.node\\.spec\\.ts$']
    }
  ]
};
