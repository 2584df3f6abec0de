/*
 * The API key lives only in the Jupyter server process. The server is started with
 * ANTHROPIC_API_KEY in its environment (playwright.config.js); cells and a terminal that print
 * every environment they can reach never show it, and Claude still answers.
 */
import { expect, test } from '@jupyterlab/galata';
import { ask, lastAnswer, notebookJSON, queueFixture, recordedRequests, resetMock, TEST_KEY } from './helpers';

const PROBES = [
  // IPython's magic, as a user would type it.
  '%env',
  // Everything the kernel process inherited.
  "import os\nprint('\\n'.join(f'{k}={v}' for k, v in sorted(os.environ.items())))",
  // The environment block the server got at exec time, readable by the same user.
  "print(open(f'/proc/{os.getppid()}/environ', 'rb').read().decode('utf-8', 'replace').replace('\\0', '\\n'))",
  // A child of the kernel (what `!env` or a package's subprocess sees).
  "import subprocess\nprint(subprocess.run(['env'], capture_output=True, text=True).stdout)"
];

function notebook(): string {
  return notebookJSON(PROBES.map((source, i) => ({ id: `probe-${i}`, source })));
}

test.use({ autoGoto: true });

test('no cell, terminal or child process sees the key, and Claude still answers', async ({
  page,
  request,
  tmpPath
}) => {
  expect(TEST_KEY.length).toBeGreaterThan(20);
  await resetMock(request);
  await page.contents.uploadContent(notebook(), 'text', `${tmpPath}/keys.ipynb`);
  expect(await page.notebook.open('keys.ipynb')).toBe(true);
  for (let i = 0; i < PROBES.length; i++) {
    await page.notebook.runCell(i);
  }
  const outputs = (await page.locator('.jp-OutputArea-output').allTextContents()).join('\n');
  // The probes really printed the environments (the non-secret upstream URL is there)...
  expect(outputs.split('ANTHROPIC_BASE_URL').length - 1).toBeGreaterThanOrEqual(PROBES.length);
  // ...and neither the key nor its variable.
  expect(outputs).not.toContain(TEST_KEY);
  expect(outputs).not.toContain('ANTHROPIC_API_KEY');

  // A real terminal through the server (terminado gives its shell a copy of the server's environment).
  const terminal = await page.evaluate(async () => {
    const created = await (await fetch('/api/terminals', { method: 'POST' })).json();
    const ws = new WebSocket(`ws://${location.host}/terminals/websocket/${created.name}`);
    const text: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`terminal timed out: ${text.join('')}`)), 30000);
      ws.onopen = () => ws.send(JSON.stringify(['stdin', 'env; echo __DONE$((40+2))__\r']));
      ws.onmessage = event => {
        const [kind, data] = JSON.parse(event.data);
        if (kind === 'stdout') {
          text.push(data);
          if (text.join('').includes('__DONE42__')) {
            clearTimeout(timer);
            resolve();
          }
        }
      };
      ws.onerror = () => reject(new Error('terminal websocket failed'));
    });
    ws.close();
    await fetch(`/api/terminals/${created.name}`, { method: 'DELETE' });
    return text.join('');
  });
  expect(terminal).toContain('ANTHROPIC_BASE_URL');
  expect(terminal).not.toContain(TEST_KEY);
  expect(terminal).not.toContain('ANTHROPIC_API_KEY');

  // The server itself still has the key: the question goes upstream with it.
  await ask(page, 'Hello');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  await expect(lastAnswer(page)).not.toBeEmpty();
  const sent = (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
  expect(sent.length).toBeGreaterThan(0);
  expect(sent[sent.length - 1].headers['x-api-key']).toBe(TEST_KEY);
});

test('an upstream echoing the key into a streamed answer shows [redacted], in the page and in every response', async ({
  page,
  request
}) => {
  await resetMock(request);
  const bodies: Promise<string>[] = [];
  page.on('response', response => {
    bodies.push(
      response
        .body()
        .then(b => b.toString('utf-8') + JSON.stringify(response.headers()))
        .catch(() => '')
    );
  });
  // The key as is, upper- and lower-cased, \u-escaped, URL-encoded, its first 40 characters, base64
  // and hex, each event written in 7-byte pieces so forms straddle network chunks.
  await queueFixture(request, 'echo_key_stream', { split_bytes: 7, event_delay_ms: 0 });
  await ask(page, 'Hello');
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-status', 'done');
  await expect(answer).toContainText('form7');
  const text = (await answer.textContent()) ?? '';
  expect(text.split('[redacted]').length - 1).toBe(8);
  expect(text.toLowerCase()).not.toContain(TEST_KEY.slice(0, 16).toLowerCase());
  const all = (await Promise.all(bodies)).join('\n');
  expect(all).not.toContain(TEST_KEY);
  expect(all.toLowerCase()).not.toContain(TEST_KEY.slice(0, 16).toLowerCase());
  expect(all).not.toContain(Buffer.from(TEST_KEY).toString('base64').slice(0, 24));
});
