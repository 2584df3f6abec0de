/*
 * Proposals: Claude proposes, the scientist decides. Real JupyterLab, a real kernel, and the
 * local Messages API server streaming recorded tool-use answers.
 */
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { claudePanel, lastAnswer, notebookJSON, recordedRequests, resetMock } from './helpers';

const NOTEBOOK = notebookJSON([
  { id: 'numbers', source: 'values = [3, 1, 4, 1, 5]\nvalues[2] - values[1]' },
  { id: 'broken', source: "values['mean']" }
]);

async function cellSources(page: IJupyterLabPageFixture): Promise<string[]> {
  return page.evaluate(() => {
    const model = (window as any).jupyterapp.shell.currentWidget.content.model;
    return Array.from({ length: model.cells.length }, (_, i) => model.cells.get(i).sharedModel.getSource());
  });
}

async function cellMetadata(page: IJupyterLabPageFixture, index: number): Promise<any> {
  return page.evaluate(i => {
    const model = (window as any).jupyterapp.shell.currentWidget.content.model;
    return model.cells.get(i).getMetadata('claude') ?? null;
  }, index);
}

async function queue(request: any, fixture: string): Promise<void> {
  await request.post(`${process.env.MOCK_API_URL}/_mock/queue`, { data: { fixture } });
}

test.use({ autoGoto: true });

test.beforeEach(async ({ page, request, tmpPath }) => {
  await resetMock(request);
  await page.contents.uploadContent(NOTEBOOK, 'text', `${tmpPath}/fix.ipynb`);
  expect(await page.notebook.open('fix.ipynb')).toBe(true);
  await page.notebook.runCell(0);
  await page.notebook.runCell(1);
});

test('Fix this error: a diff card, Accept and run with provenance, the result goes back to Claude, Undo restores', async ({
  page,
  request
}) => {
  await queue(request, 'tool_propose_fix');
  await (await page.notebook.getCellLocator(1))!.click({ button: 'right' });
  await page.locator('.lm-Menu').getByText('Fix This Error').click();

  const card = claudePanel(page).locator('.jp-Claude-proposal');
  await expect(card).toHaveAttribute('data-status', 'pending');
  await expect(card.locator('.jp-Claude-proposalTitle')).toHaveText('Change cell #2');
  await expect(card.locator('.cm-deletedChunk')).toContainText("values['mean']");
  await expect(card.locator('.cm-content')).toContainText('values[0]');
  // Nothing changed yet.
  // (Running the last cell added an empty one below, as Shift+Enter does.)
  expect((await cellSources(page)).slice(0, 2)).toEqual([
    'values = [3, 1, 4, 1, 5]\nvalues[2] - values[1]',
    "values['mean']"
  ]);
  await expect(lastAnswer(page).locator('.jp-Claude-toolCall')).toHaveText('… Proposed a change to cell #2');

  await card.getByRole('button', { name: 'Accept and run' }).click();
  await expect(card).toHaveAttribute('data-status', 'accepted');
  expect((await cellSources(page))[1]).toBe('values[0]');
  const provenance = await cellMetadata(page, 1);
  expect(provenance).toMatchObject({ kind: 'replace', edited: false, model: 'claude-sonnet-5-5' });
  expect(provenance.proposal_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(provenance.request_id).toMatch(/^req_/);
  const cell = await page.notebook.getCellLocator(1);
  await expect(cell!.locator('.jp-OutputArea-output')).toHaveText('3');
  await expect(cell!.locator('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')).toHaveCount(0);

  // The decision and the outputs went back to Claude, which went on.
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  const requests = (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
  expect(requests).toHaveLength(2);
  const result = requests[1].body.messages[2].content[0];
  expect(result.type).toBe('tool_result');
  expect(result.content).toContain('The scientist accepted');
  expect(result.content).toContain('It ran');
  expect(result.content).toMatch(/Output 0:\n3/);

  await card.getByRole('button', { name: 'Undo' }).click();
  expect((await cellSources(page))[1]).toBe("values['mean']");
  expect(await cellMetadata(page, 1)).toBeNull();
});

test('Reject leaves the notebook on disk byte-identical, and the reason goes back to Claude', async ({
  page,
  request,
  tmpPath
}) => {
  await page.notebook.save();
  const before = await request.get(`/api/contents/${tmpPath}/fix.ipynb?content=1&format=text&type=file`);
  const original = (await before.json()).content;

  await queue(request, 'tool_propose_fix');
  await (await page.notebook.getCellLocator(1))!.click({ button: 'right' });
  await page.locator('.lm-Menu').getByText('Fix This Error').click();
  const card = claudePanel(page).locator('.jp-Claude-proposal');
  await card.getByRole('textbox', { name: 'Reason for rejecting' }).fill('keep the name lookup');
  await card.getByRole('button', { name: 'Reject' }).click();
  await expect(card).toHaveAttribute('data-status', 'rejected');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');

  await page.notebook.save();
  const after = await request.get(`/api/contents/${tmpPath}/fix.ipynb?content=1&format=text&type=file`);
  expect((await after.json()).content).toBe(original);
  const requests = (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
  expect(requests[1].body.messages[2].content[0].content).toContain('Their reason: keep the name lookup');
});

test('two proposals at once: insert-after lands by id after the cells moved; accept one, reject the other', async ({
  page,
  request
}) => {
  await queue(request, 'tool_propose_two');
  await page.notebook.selectCells(0);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Alt+Shift+N');
  const cards = claudePanel(page).locator('.jp-Claude-proposal');
  await expect(cards).toHaveCount(2);

  // The scientist moves the anchor cell below the other while the proposals wait.
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('notebook:move-cell-down'));
  await expect
    .poll(async () => (await cellSources(page)).slice(0, 2))
    .toEqual(["values['mean']", 'values = [3, 1, 4, 1, 5]\nvalues[2] - values[1]']);

  await cards.nth(0).getByRole('button', { name: 'Accept', exact: true }).click();
  await cards.nth(1).getByRole('button', { name: 'Reject' }).click();
  await expect(cards.nth(0)).toHaveAttribute('data-status', 'accepted');
  await expect(cards.nth(1)).toHaveAttribute('data-status', 'rejected');
  expect((await cellSources(page)).slice(0, 3)).toEqual([
    "values['mean']",
    'values = [3, 1, 4, 1, 5]\nvalues[2] - values[1]',
    'max(values) - min(values)'
  ]);
  expect((await cellMetadata(page, 2)).kind).toBe('insert');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
});

test('"Accept all" applies every waiting proposal, in order, and Claude hears each decision', async ({
  page,
  request
}) => {
  await queue(request, 'tool_propose_two');
  await page.notebook.selectCells(0);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Alt+Shift+N');
  const cards = claudePanel(page).locator('.jp-Claude-proposal');
  await expect(cards).toHaveCount(2);
  const bulk = claudePanel(page).locator('.jp-Claude-proposalBulk');
  await expect(bulk).toContainText('2 proposals waiting');
  await bulk.getByRole('button', { name: 'Accept all' }).click();
  await expect(cards.nth(0)).toHaveAttribute('data-status', 'accepted');
  await expect(cards.nth(1)).toHaveAttribute('data-status', 'accepted');
  await expect(bulk).toBeHidden();
  const sources = await cellSources(page);
  expect(sources.slice(0, 4)).toEqual([
    'values = [3, 1, 4, 1, 5]\nvalues[2] - values[1]',
    expect.any(String),
    expect.any(String),
    "values['mean']"
  ]);
  expect(sources).toContain('max(values) - min(values)');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  const sent = (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
  const results = sent[1].body.messages[sent[1].body.messages.length - 1].content.filter(
    (b: any) => b.type === 'tool_result'
  );
  expect(results.map((r: any) => JSON.stringify(r.content))).toEqual([
    expect.stringContaining('The scientist accepted'),
    expect.stringContaining('The scientist accepted')
  ]);
});

test('a code block of an answer becomes a proposal on request, accepted with the shortcut', async ({
  page,
  request
}) => {
  await queue(request, 'markdown_code');
  await page.notebook.selectCells(0);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Alt+Shift+X');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  await lastAnswer(page).getByRole('button', { name: 'Insert below' }).click();
  const card = claudePanel(page).locator('.jp-Claude-proposal');
  await expect(card).toHaveAttribute('data-status', 'pending');
  await expect(card.locator('.jp-Claude-proposalTitle')).toHaveText('Insert a code cell after cell #1');
  expect(await cellSources(page)).toHaveLength(3);

  await page.keyboard.press('Alt+Shift+Enter');
  await expect(card).toHaveAttribute('data-status', 'accepted');
  const sources = await cellSources(page);
  expect(sources).toHaveLength(4);
  expect(sources[1]).toContain('import pandas as pd');
  expect((await cellMetadata(page, 1)).kind).toBe('insert');
});

test('the reject shortcut rejects; a proposal whose cell was deleted meanwhile is refused with a message', async ({
  page,
  request
}) => {
  await queue(request, 'tool_propose_fix');
  await (await page.notebook.getCellLocator(1))!.click({ button: 'right' });
  await page.locator('.lm-Menu').getByText('Fix This Error').click();
  const card = claudePanel(page).locator('.jp-Claude-proposal');
  await expect(card).toHaveAttribute('data-status', 'pending');
  await page.keyboard.press('Alt+Shift+Backspace');
  await expect(card).toHaveAttribute('data-status', 'rejected');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');

  await queue(request, 'tool_propose_fix');
  await (await page.notebook.getCellLocator(1))!.click({ button: 'right' });
  await page.locator('.lm-Menu').getByText('Fix This Error').click();
  const second = claudePanel(page).locator('.jp-Claude-proposal').nth(1);
  await expect(second).toHaveAttribute('data-status', 'pending');
  // The scientist deletes the cell while the proposal waits.
  await page.evaluate(() => {
    const model = (window as any).jupyterapp.shell.currentWidget.content.model;
    model.sharedModel.deleteCell(1);
  });
  await second.getByRole('button', { name: 'Accept', exact: true }).click();
  await expect(second).toHaveAttribute('data-status', 'stale');
  await expect(second.locator('.jp-Claude-proposalStatus')).toContainText('deleted');
  expect(await cellSources(page)).not.toContain('values[0]');
  const requests = (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
  const last = requests[requests.length - 1].body.messages;
  expect(last[last.length - 1].content[0].content).toContain('Not applied');
});

test('the scientist edits the proposed source in the card before accepting; provenance says so', async ({
  page,
  request
}) => {
  await queue(request, 'tool_propose_fix');
  await (await page.notebook.getCellLocator(1))!.click({ button: 'right' });
  await page.locator('.lm-Menu').getByText('Fix This Error').click();
  const card = claudePanel(page).locator('.jp-Claude-proposal');
  await expect(card).toHaveAttribute('data-status', 'pending');
  const editor = card.getByRole('textbox', { name: 'Proposed source' });
  await editor.click();
  await page.keyboard.press('End');
  await page.keyboard.type(' + values[-1]');
  await card.getByRole('button', { name: 'Accept', exact: true }).click();
  await expect(card).toHaveAttribute('data-status', 'accepted');
  await expect(card.locator('.jp-Claude-proposalStatus').first()).toHaveText('Accepted (edited)');
  expect((await cellSources(page))[1]).toBe('values[0] + values[-1]');
  expect((await cellMetadata(page, 1)).edited).toBe(true);
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  const requests = (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
  const result = requests[1].body.messages[2].content[0].content;
  expect(result).toContain('after the scientist edited it');
  expect(result).toContain('values[0] + values[-1]');
  expect(result).toContain('It was not run.');
});

test('closing the notebook while a proposal waits changes nothing and leaves a usable panel', async ({
  page,
  request,
  tmpPath
}) => {
  await page.notebook.save();
  const read = async () =>
    (await (await request.get(`/api/contents/${tmpPath}/fix.ipynb?content=1&format=text&type=file`)).json()).content;
  const original = await read();
  await queue(request, 'tool_propose_fix');
  await (await page.notebook.getCellLocator(1))!.click({ button: 'right' });
  await page.locator('.lm-Menu').getByText('Fix This Error').click();
  await expect(claudePanel(page).locator('.jp-Claude-proposal')).toHaveAttribute('data-status', 'pending');

  await page.notebook.close(true);
  await expect(claudePanel(page)).toContainText('General chat');
  await expect(claudePanel(page).locator('.jp-Claude-proposal')).toHaveCount(0);
  expect(await read()).toBe(original);
  // No request went out after the close.
  expect((await recordedRequests(request)).filter(r => r.path === '/v1/messages')).toHaveLength(1);

  const box = claudePanel(page).getByRole('textbox', { name: 'Ask Claude' });
  await box.fill('Still there?');
  await box.press('Enter');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
});
