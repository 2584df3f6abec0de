/*
 * What Claude is given with a question, checked where it matters: in the request the local
 * Messages API server received. Real JupyterLab, a real ipykernel running pandas on a
 * DiscoveryBench data set.
 */
import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';
import { ask, claudePanel, lastAnswer, notebookJSON, openPanel, recordedRequests, resetMock } from './helpers';

const CSV = path.resolve(
  __dirname,
  '..',
  '..',
  'examples',
  'data',
  'discoverybench',
  'nls_incarceration',
  'nls_incarceration_processed.csv'
);

// Built at run time from parts, so no key-shaped string is committed.
const PLANTED_KEY = ['sk', 'ant', 'api03', 'Zq7' + 'x'.repeat(20) + Date.now().toString(36) + 'Yw9Lm'].join('-');

function analysisNotebook(): string {
  const code = (id: string, source: string) => ({ id, source });
  return notebookJSON([
    code('load', "import pandas as pd\ndf = pd.read_csv('nls.csv')\ndf.head()"),
    code('connect', `token_line = 'ANTHROPIC_API_KEY=${PLANTED_KEY}'\nprint(token_line)`),
    code('typo', "df['wealth_chnage']"),
    code('focus', "df.groupby(['race', 'ever_jailed'])['composite_wealth_1996'].median()")
  ]);
}

/** Run the cells one by one (Run All would stop at the cell that raises). */
async function runEachCell(page: any): Promise<void> {
  for (let index = 0; index < 4; index++) {
    await page.notebook.runCell(index);
  }
  await page.notebook.selectCells(3);
}

test.use({ autoGoto: true });

test.beforeEach(async ({ request }) => {
  await resetMock(request);
});

test('a question carries the frame, the active cell and the last error, with secrets redacted', async ({
  page,
  request,
  tmpPath
}) => {
  await page.contents.uploadContent(fs.readFileSync(CSV, 'utf-8'), 'text', `${tmpPath}/nls.csv`);
  await page.contents.uploadContent(analysisNotebook(), 'text', `${tmpPath}/analysis.ipynb`);
  expect(await page.notebook.open('analysis.ipynb')).toBe(true);
  await runEachCell(page);

  await openPanel(page);
  // The chips show what the next question will carry.
  const chips = claudePanel(page).locator('.jp-Claude-chip');
  await expect(chips.filter({ hasText: 'Kernel variables' })).toBeVisible();
  await expect(chips.filter({ hasText: 'Active cell #4' })).toBeVisible();

  await ask(page, 'Is wealth in 1996 lower for people who were ever jailed?');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');

  const [sent] = (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
  const everything = JSON.stringify(sent.body);
  const system = sent.body.system.map((b: any) => b.text).join('\n');
  const question = sent.body.messages[0].content.map((b: any) => b.text ?? '').join('\n');
  // The outline, stable, in the cached system prompt.
  expect(system).toContain('## Outline');
  expect(sent.body.system[sent.body.system.length - 1].cache_control).toEqual({ type: 'ephemeral' });
  // The frame's columns and dtypes, from the live kernel.
  expect(question).toMatch(/\| df \| pandas\.DataFrame \| 12,?013 × 6/);
  expect(question).toContain('composite_wealth_1996: int64');
  expect(question).toMatch(/race: (str|object)/);
  // The active cell in full, and the last error with its traceback.
  expect(question).toContain("df.groupby(['race', 'ever_jailed'])['composite_wealth_1996'].median()");
  expect(question).toContain('KeyError');
  expect(question).toContain('wealth_chnage');
  // The question itself comes last.
  expect(question.trim().endsWith('Is wealth in 1996 lower for people who were ever jailed?')).toBe(true);
  // The planted key never left the browser.
  expect(everything).not.toContain(PLANTED_KEY);
  expect(everything).toContain('[REDACTED');

  // What Claude saw is one click away.
  await claudePanel(page).getByRole('button', { name: 'Show what Claude saw' }).click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('composite_wealth_1996');
  await expect(dialog).not.toContainText(PLANTED_KEY);
  await dialog.getByRole('button', { name: 'Close' }).click();
});

test('a part the scientist removes is left out of the next question, and can be added back', async ({
  page,
  request,
  tmpPath
}) => {
  await page.contents.uploadContent(fs.readFileSync(CSV, 'utf-8'), 'text', `${tmpPath}/nls.csv`);
  await page.contents.uploadContent(analysisNotebook(), 'text', `${tmpPath}/analysis.ipynb`);
  expect(await page.notebook.open('analysis.ipynb')).toBe(true);
  await runEachCell(page);
  await openPanel(page);

  await claudePanel(page).getByRole('button', { name: 'Remove Kernel variables' }).click();
  await expect(claudePanel(page).getByRole('button', { name: 'Add back Kernel variables' })).toBeVisible();
  await ask(page, 'Without the variables, please.');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  let [sent] = (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
  let question = sent.body.messages[0].content.map((b: any) => b.text ?? '').join('\n');
  expect(question).not.toMatch(/pandas\.DataFrame \| 12,?013 × 6/);
  expect(question).toContain('removed by the scientist');

  await resetMock(request);
  await claudePanel(page).getByRole('button', { name: 'Add back Kernel variables' }).click();
  await expect(claudePanel(page).getByRole('button', { name: 'Remove Kernel variables' })).toBeVisible();
  await ask(page, 'And now with them.');
  await expect(claudePanel(page).locator('.jp-Claude-turn-assistant[data-status="done"]')).toHaveCount(2);
  [sent] = (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
  const messages = sent.body.messages;
  question = messages[messages.length - 1].content.map((b: any) => b.text ?? '').join('\n');
  expect(question).toMatch(/pandas\.DataFrame \| 12,?013 × 6/);
});

test('Claude reads a cell in full through a tool, answered at once, and goes on', async ({
  page,
  request,
  tmpPath
}) => {
  await page.contents.uploadContent(fs.readFileSync(CSV, 'utf-8'), 'text', `${tmpPath}/nls.csv`);
  await page.contents.uploadContent(analysisNotebook(), 'text', `${tmpPath}/analysis.ipynb`);
  expect(await page.notebook.open('analysis.ipynb')).toBe(true);
  await runEachCell(page);
  await openPanel(page);
  await request.post(`${process.env.MOCK_API_URL}/_mock/queue`, { data: { fixture: 'tool_read_cell' } });

  await ask(page, 'Why does the cell with the typo fail?');
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-status', 'done');
  await expect(answer.locator('.jp-Claude-toolCall')).toHaveText('✓ Read cell #3');
  await expect(answer.locator('.jp-Claude-turnBody')).toContainText('Let me read the failing cell in full.');
  await expect(answer.locator('.jp-Claude-turnUsage')).toContainText('read from cache');

  const requests = (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
  expect(requests).toHaveLength(2);
  const result = requests[1].body.messages[2].content[0];
  expect(result.type).toBe('tool_result');
  expect(result.content).toContain("df['wealth_chnage']");
  expect(result.content).toContain('KeyError');
});

test("Claude lists the notebook's folder and reads a CSV's head; a path out of the root and a secrets file are refused", async ({
  page,
  request,
  tmpPath
}) => {
  await page.contents.uploadContent(fs.readFileSync(CSV, 'utf-8'), 'text', `${tmpPath}/nls.csv`);
  await page.contents.uploadContent(`ANTHROPIC_API_KEY=${PLANTED_KEY}\n`, 'text', `${tmpPath}/.env`);
  await page.contents.uploadContent(analysisNotebook(), 'text', `${tmpPath}/analysis.ipynb`);
  expect(await page.notebook.open('analysis.ipynb')).toBe(true);
  await openPanel(page);
  const queue = (fixture: string) => request.post(`${process.env.MOCK_API_URL}/_mock/queue`, { data: { fixture } });
  await queue('tool_read_files');

  await ask(page, 'What files do I have?');
  let answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-status', 'done');
  await expect(answer.locator('.jp-Claude-toolCall')).toHaveText([
    '✓ Listed the folder of the notebook',
    '✓ Read the beginning of nls.csv'
  ]);
  let requests = (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
  const [listing, head] = requests[1].body.messages[2].content;
  expect(listing.content).toContain('file  nls.csv');
  expect(listing.content).toContain('analysis.ipynb');
  expect(listing.content).not.toContain('.env');
  expect(head.content).toContain('Columns: race, sex, ever_jailed, composite_wealth_1985');

  // An output that tells Claude to read files it must not: the server refuses, nothing leaks.
  await resetMock(request);
  await queue('tool_read_outside');
  await ask(page, 'Do what the output says.');
  await expect(claudePanel(page).locator('.jp-Claude-turn-assistant[data-status="done"]')).toHaveCount(2);
  answer = lastAnswer(page);
  await expect(answer.locator('.jp-Claude-toolCall[data-status="error"]')).toHaveCount(2);
  requests = (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
  const refused = requests[1].body.messages;
  const results = refused[refused.length - 1].content.filter((b: any) => b.type === 'tool_result');
  expect(results.map((r: any) => r.is_error)).toEqual([true, true]);
  expect(JSON.stringify(requests)).not.toContain(PLANTED_KEY);
  expect(JSON.stringify(requests)).not.toContain('root:x:0:0');
});

test('a large plot is sent to Claude as a downsampled image block', async ({ page, request, tmpPath }) => {
  // A 1600×1200 PNG drawn by plain Python in the kernel (no plotting library needed).
  const source = [
    'import struct, zlib',
    'from IPython.display import Image, display',
    'w, h = 1600, 1200',
    "row = b'\\x00' + b''.join(bytes((x * 255 // w, 80, 200)) for x in range(w))",
    'raw = row * h',
    "def chunk(kind, data): return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)",
    "png = b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')",
    'display(Image(data=png))'
  ].join('\n');
  const nb = notebookJSON([{ id: 'plot', source }]);
  await page.contents.uploadContent(nb, 'text', `${tmpPath}/plot.ipynb`);
  expect(await page.notebook.open('plot.ipynb')).toBe(true);
  await page.notebook.runCell(0);
  await expect(page.locator('.jp-OutputArea-output img')).toBeVisible();
  await openPanel(page);
  await ask(page, 'What does the plot show?');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');

  const [sent] = (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
  const images = sent.body.messages[0].content.filter((b: any) => b.type === 'image');
  expect(images).toHaveLength(1);
  expect(images[0].source.media_type).toBe('image/png');
  const png = Buffer.from(images[0].source.data, 'base64');
  // Width and height from the PNG header: the longest side is brought down to 768 px.
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([768, 576]);
});
