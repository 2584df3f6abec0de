/*
 * Saved conversations: a notebook's chat survives a reload, a cut answer keeps its Retry,
 * History opens and deletes saved chats, renames are followed, two tabs merge.
 */
import type { APIRequestContext } from '@playwright/test';
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import {
  ask,
  claudePanel,
  lastAnswer,
  notebookJSON,
  openPanel,
  queueFixture,
  reloadWith,
  resetMock,
  shownText
} from './helpers';

test.use({ autoGoto: true });

function notebook(): string {
  return notebookJSON(['x = 1']);
}

/** The saved conversations of a notebook, as the server lists them. */
async function saved(request: APIRequestContext, path: string): Promise<any[]> {
  const response = await request.get(`/claude/conversations?notebook=${encodeURIComponent(path)}`);
  expect(response.ok(), await response.text()).toBeTruthy();
  return (await response.json()).conversations;
}

async function savedTurns(request: APIRequestContext, path: string): Promise<number[]> {
  return (await saved(request, path)).map(c => c.turns);
}

async function openNotebook(page: IJupyterLabPageFixture, tmpPath: string, name: string): Promise<string> {
  const path = `${tmpPath}/${name}`;
  if (!(await page.contents.fileExists(path))) {
    await page.contents.uploadContent(notebook(), 'text', path);
  }
  expect(await page.notebook.openByPath(path)).toBe(true);
  await openPanel(page);
  return path;
}

test.beforeEach(async ({ request }) => {
  await resetMock(request);
});

test.describe('saved conversations', () => {
  test('a chat is back after reloading the page', async ({ page, request, tmpPath }) => {
    const path = await openNotebook(page, tmpPath, 'saved.ipynb');
    await queueFixture(request, 'markdown_code');
    await ask(page, 'Show me how to load the CSV');
    await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
    await expect.poll(() => savedTurns(request, path)).toEqual([2]);
    await expect(claudePanel(page)).toHaveAttribute('data-save-state', 'saved');

    await reloadWith(page, path);
    const panel = claudePanel(page);
    await expect(panel.locator('.jp-Claude-turn')).toHaveCount(2);
    await expect(panel.locator('.jp-Claude-question')).toHaveText('Show me how to load the CSV');
    await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
    await expect(lastAnswer(page).locator('pre')).toHaveCount(1);

    // The conversation continues: the next question carries the restored history.
    await ask(page, 'And then?');
    await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
    await expect.poll(() => savedTurns(request, path)).toEqual([4]);
  });

  test('a cut answer is back after reloading, marked cut, and Retry works', async ({ page, request, tmpPath }) => {
    const path = await openNotebook(page, tmpPath, 'cut.ipynb');
    await queueFixture(request, 'cut_mid_stream');
    await ask(page, 'Describe the columns');
    await expect(lastAnswer(page)).toHaveAttribute('data-status', 'cut');
    await expect(lastAnswer(page).locator('.jp-Claude-turnBody')).not.toBeEmpty();
    await expect.poll(() => savedTurns(request, path)).toEqual([2]);
    const partial = await shownText(lastAnswer(page));
    expect(partial.length).toBeGreaterThan(0);

    await reloadWith(page, path);
    const answer = lastAnswer(page);
    await expect(answer).toHaveAttribute('data-status', 'cut');
    await expect(answer.locator('.jp-Claude-turnBody')).toHaveText(partial);
    await expect(answer.getByRole('alert')).toContainText('cut off');
    await answer.getByRole('button', { name: 'Retry' }).click();
    await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
    await expect(claudePanel(page).locator('.jp-Claude-turn')).toHaveCount(2);

    // The cut answer is replaced in the saved file too.
    const [summary] = await saved(request, path);
    const statuses = async () => {
      const url = `/claude/conversations/${summary.id}?notebook=${encodeURIComponent(path)}`;
      return ((await (await request.get(url)).json()).turns as any[]).map(t => t.status);
    };
    await expect.poll(statuses).toEqual(['done', 'done']);
  });

  test('New chat, then History lists both, opens the old one and deletes one', async ({ page, request, tmpPath }) => {
    const path = await openNotebook(page, tmpPath, 'history.ipynb');
    const panel = claudePanel(page);
    await ask(page, 'First question');
    await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
    await expect.poll(() => savedTurns(request, path)).toEqual([2]);

    await panel.getByRole('button', { name: 'New chat' }).click();
    await expect(panel.locator('.jp-Claude-turn')).toHaveCount(0);
    await ask(page, 'Second question');
    await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
    await expect.poll(() => savedTurns(request, path)).toEqual([2, 2]);

    await panel.getByRole('button', { name: 'History' }).click();
    const items = panel.locator('.jp-Claude-historyItem');
    await expect(items).toHaveCount(2);
    // Newest first; the one shown is marked.
    await expect(items.nth(0)).toContainText('Second question');
    await expect(items.nth(0)).toHaveClass(/jp-mod-current/);
    await expect(items.nth(1)).toContainText('First question');
    await expect(items.nth(1)).toContainText('2 turns');

    await panel.getByRole('button', { name: 'Open chat: First question' }).click();
    await expect(panel.locator('.jp-Claude-question')).toHaveText(['First question']);

    // Delete the other one, confirming in the dialog.
    await panel.getByRole('button', { name: 'History' }).click();
    await expect(items).toHaveCount(2);
    const [second] = (await saved(request, path)).filter(c => c.title === 'Second question');
    await panel.getByRole('button', { name: 'Delete chat: Second question' }).click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('Delete saved chat?');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect(items).toHaveCount(1);
    await expect(items.nth(0)).toContainText('First question');
    expect((await saved(request, path)).map(c => c.title)).toEqual(['First question']);
    const gone = await request.get(`/claude/conversations/${second.id}?notebook=${encodeURIComponent(path)}`);
    expect(gone.status()).toBe(404);

    // Deleting the chat in view starts a new one.
    await panel.getByRole('button', { name: 'Delete chat: First question' }).click();
    await page.locator('.jp-Dialog').getByRole('button', { name: 'Delete' }).click();
    await expect(panel.locator('.jp-Claude-turn')).toHaveCount(0);
    await expect(panel.locator('.jp-Claude-historyNote')).toHaveText('No saved chats yet.');
    expect(await saved(request, path)).toEqual([]);
  });

  test('a renamed notebook keeps its conversation', async ({ page, request, tmpPath }) => {
    const path = await openNotebook(page, tmpPath, 'before.ipynb');
    await ask(page, 'Question before the rename');
    await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
    await expect.poll(() => savedTurns(request, path)).toEqual([2]);

    const renamed = `${tmpPath}/after.ipynb`;
    expect(await page.contents.renameFile(path, renamed)).toBe(true);
    await expect.poll(() => savedTurns(request, renamed)).toEqual([2]);
    expect(await saved(request, path)).toEqual([]);
    // A question after the rename is saved under the new path.
    await ask(page, 'Question after the rename');
    await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
    await expect.poll(() => savedTurns(request, renamed)).toEqual([4]);
    expect(await saved(request, path)).toEqual([]);

    await reloadWith(page, renamed);
    await expect(claudePanel(page).locator('.jp-Claude-question')).toHaveText([
      'Question before the rename',
      'Question after the rename'
    ]);
  });

  test('two tabs on one notebook both asking: both turns are saved', async ({ page, context, request, tmpPath }) => {
    const path = await openNotebook(page, tmpPath, 'shared.ipynb');
    const other = await context.newPage();
    await other.goto(`/lab/tree/${path}?reset`);
    await other.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    await expect(other.locator('.jp-NotebookPanel')).toBeVisible();
    await openPanel(other);

    await ask(page, 'Question from the first tab');
    await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
    await expect.poll(() => savedTurns(request, path)).toEqual([2]);
    await ask(other, 'Question from the second tab');
    await expect(lastAnswer(other)).toHaveAttribute('data-status', 'done');
    await expect.poll(() => savedTurns(request, path)).toEqual([4]);
    await other.close();

    await reloadWith(page, path);
    await expect(claudePanel(page).locator('.jp-Claude-question')).toHaveText([
      'Question from the first tab',
      'Question from the second tab'
    ]);
  });

  test('a failed save is said in the panel, the chat stays, and the next answer saves it', async ({
    page,
    request,
    tmpPath
  }) => {
    const path = await openNotebook(page, tmpPath, 'offline.ipynb');
    const panel = claudePanel(page);
    await ask(page, 'Hello');
    await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
    await expect.poll(() => savedTurns(request, path)).toEqual([2]);

    // The server stops answering the save route.
    await page.route('**/claude/conversations/**', route => route.abort());
    await ask(page, 'While the server is away');
    await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
    await expect(panel).toHaveAttribute('data-save-state', 'error');
    await expect(panel.locator('.jp-Claude-saveStatus')).toContainText('could not be saved');
    await expect(panel.locator('.jp-Claude-turn')).toHaveCount(4);

    await page.unroute('**/claude/conversations/**');
    await ask(page, 'Back again');
    await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
    await expect(panel).toHaveAttribute('data-save-state', 'saved');
    await expect(panel.locator('.jp-Claude-saveStatus')).toBeHidden();
    await expect.poll(() => savedTurns(request, path)).toEqual([6]);
  });
});
