/*
 * Faults in the notebook and the kernel: a kernel that dies while Claude inspects it or
 * during an approved run, a notebook closed while an answer streams, a 50 MB output and a
 * 1,000-cell notebook. Each ends in a clear message, a usable panel and nothing lost.
 */
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { ask, claudePanel, lastAnswer, notebookJSON, queueFixture, recordedRequests, resetMock } from './helpers';

function notebook(cells: Array<{ id: string; source: string; outputs?: any[] }>): string {
  return notebookJSON(
    cells.map(c => ({
      id: c.id,
      source: c.source,
      outputs: c.outputs ?? [],
      execution_count: c.outputs?.length ? 1 : null
    }))
  );
}

/** Dismiss JupyterLab's "kernel restarting" dialog when it shows. */
async function dismissKernelDialog(page: IJupyterLabPageFixture): Promise<string> {
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toBeVisible({ timeout: 30000 });
  const text = (await dialog.textContent()) ?? '';
  await dialog.locator('.jp-Dialog-footer button').last().click();
  await expect(dialog).toHaveCount(0);
  return text;
}

async function messages(request: any): Promise<any[]> {
  return (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
}

test.use({ autoGoto: true });

test.beforeEach(async ({ request }) => {
  await resetMock(request);
});

test('the kernel dies while Claude inspects it: the question still goes, without stale data, and the next one works', async ({
  page,
  request,
  tmpPath
}) => {
  // Inspecting a frame reads its shape; this one's shape kills the kernel process.
  const source = [
    'import os',
    'import pandas as pd',
    'class Doomed(pd.DataFrame):',
    '    @property',
    '    def shape(self):',
    '        os._exit(1)',
    "doomed = Doomed({'a': [1, 2, 3]})",
    "'ready'"
  ].join('\n');
  await page.contents.uploadContent(notebook([{ id: 'doom', source }]), 'text', `${tmpPath}/doomed.ipynb`);
  expect(await page.notebook.open('doomed.ipynb')).toBe(true);
  await page.notebook.runCell(0);
  await expect((await page.notebook.getCellLocator(0))!.locator('.jp-OutputArea-output')).toHaveText("'ready'");

  await ask(page, 'What is in my kernel?');
  const dialog = await dismissKernelDialog(page);
  expect(dialog).toMatch(/died|restart/i);
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-status', 'done');
  const sent = await messages(request);
  expect(sent).toHaveLength(1);
  const question = JSON.stringify(sent[0].body.messages);
  expect(question).toContain('What is in my kernel?');
  // Which inspection the death hits depends on timing: the question says the kernel died or
  // restarted during it, or was not available (from the browser a dying kernel first looks
  // busy), or carries the restarted kernel's empty namespace. Never the dead kernel's variables.
  expect(question).toMatch(
    /Kernel data: not available \((busy|dead|restarting|timeout)\)|Kernel variables \(python [\d.]+\): 0 of 0 shown/
  );
  expect(question).not.toMatch(/inspection request failed/);
  expect(question).not.toMatch(/doomed|Doomed/);

  // The panel goes on while the kernel restarts; the next question says where the kernel is.
  // (After an automatic restart, this JupyterLab keeps showing the kernel as "starting".)
  await ask(page, 'And now?');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  await expect(claudePanel(page).locator('.jp-Claude-turn-assistant')).toHaveCount(2);
  const again = JSON.stringify((await messages(request))[1].body.messages.slice(-1));
  expect(again).toMatch(/Kernel data: not available \((dead|restarting)\)|Kernel variables \(python/);
  expect(again).not.toContain('Doomed');
});

test('the kernel dies during an approved run: Claude is told, nothing else runs, the panel stays usable', async ({
  page,
  request,
  tmpPath
}) => {
  await page.contents.uploadContent(
    notebook([{ id: 'crash', source: 'import os\nos._exit(1)' }]),
    'text',
    `${tmpPath}/crash.ipynb`
  );
  expect(await page.notebook.open('crash.ipynb')).toBe(true);
  await queueFixture(request, 'tool_run_crash');
  await ask(page, 'What does the first cell do?');
  const card = claudePanel(page).locator('.jp-Claude-proposal');
  await expect(card).toHaveAttribute('data-status', 'pending');
  await expect(card.locator('.jp-Claude-proposalTitle')).toHaveText('Run cell #1');
  // The card shows exactly what would run.
  await expect(card.locator('.cm-content')).toHaveText('import osos._exit(1)');
  await card.getByRole('button', { name: 'Run' }).click();
  await dismissKernelDialog(page);
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  const sent = await messages(request);
  expect(sent).toHaveLength(2);
  const results = sent[1].body.messages[sent[1].body.messages.length - 1].content;
  const result = results.find((b: any) => b.type === 'tool_result');
  expect(result.tool_use_id).toBe('toolu_01RunCrashCell00000001');
  expect(JSON.stringify(result.content)).toMatch(/approved running/);
  expect(JSON.stringify(result.content)).toMatch(/could not run|died|restart|No output/i);

  await ask(page, 'Is it back?');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
});

test('closing the notebook while an answer streams stops it cleanly; the panel goes on', async ({
  page,
  request,
  tmpPath
}) => {
  const errors: string[] = [];
  page.on('pageerror', error => errors.push(error.message));
  await page.contents.uploadContent(notebook([{ id: 'a', source: 'x = 1' }]), 'text', `${tmpPath}/closing.ipynb`);
  expect(await page.notebook.open('closing.ipynb')).toBe(true);
  await queueFixture(request, 'slow_long');
  await ask(page, 'Tell me a long story');
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-status', 'streaming');
  await expect(answer.locator('.jp-Claude-turnBody')).toContainText('Streaming lets you read');
  await page.notebook.close(false);

  // The panel shows the general chat, idle, and answers there.
  await expect(claudePanel(page).locator('.jp-Claude-notebookLabel')).toHaveText('General chat (no notebook open)');
  await expect(claudePanel(page).getByRole('button', { name: 'Stop' })).toBeDisabled();
  await ask(page, 'Still there?');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  await expect(lastAnswer(page)).toContainText("Hello! I'm Claude.");
  expect((await messages(request)).length).toBe(2);
  expect(errors).toEqual([]);
});

test('a 50 MB output: the question carries a bounded summary of it and the answer arrives', async ({
  page,
  request,
  tmpPath
}) => {
  await page.contents.uploadContent(
    notebook([
      { id: 'huge', source: "big = ('x' * 99 + '\\n') * 520_000\nprint(big, end='')\nlen(big)" },
      { id: 'after', source: 'len(big) // 1_000_000' }
    ]),
    'text',
    `${tmpPath}/huge.ipynb`
  );
  expect(await page.notebook.open('huge.ipynb')).toBe(true);
  await page.notebook.runCell(0);
  await expect((await page.notebook.getCellLocator(0))!.locator('.jp-OutputArea-executeResult')).toContainText(
    '52000000',
    {
      timeout: 60000
    }
  );
  await page.notebook.runCell(1);
  await ask(page, 'How big was that output?');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done', { timeout: 60000 });
  const sent = await messages(request);
  expect(sent).toHaveLength(1);
  const size = JSON.stringify(sent[0].body).length;
  // Under the 8,000-token context budget, not 50 MB.
  expect(size).toBeLessThan(120_000);
  expect(JSON.stringify(sent[0].body)).toMatch(/xxxxxxxx/);
  expect(JSON.stringify(sent[0].body)).toMatch(/elided|omitted|cut|…/);
});

test('a 1,000-cell notebook: the question carries a bounded outline and the answer arrives', async ({
  page,
  request,
  tmpPath
}) => {
  const cells = Array.from({ length: 1000 }, (_, i) => ({
    id: `c${i}`,
    source: `# step ${i}\nvalue_${i} = ${i} * 2\nvalue_${i}`,
    outputs: [
      { output_type: 'execute_result', execution_count: 1, data: { 'text/plain': String(i * 2) }, metadata: {} }
    ]
  }));
  await page.contents.uploadContent(notebook(cells), 'text', `${tmpPath}/thousand.ipynb`);
  expect(await page.notebook.open('thousand.ipynb')).toBe(true);
  await ask(page, 'Summarise this notebook');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done', { timeout: 60000 });
  const sent = await messages(request);
  expect(sent).toHaveLength(1);
  const body = JSON.stringify(sent[0].body);
  expect(body.length).toBeLessThan(120_000);
  expect(body).toContain('c0');
  expect(body).toMatch(/1,?000 cells/);
  // The context bar shows what went, within the budget.
  await expect(claudePanel(page).locator('.jp-Claude-contextBar')).toBeVisible();
});
