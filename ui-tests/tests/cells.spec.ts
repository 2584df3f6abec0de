/*
 * Cell actions: the context menu, the palette and the shortcuts open the panel with the
 * question and the cell filled in, and the answer streams.
 */
import { expect, test } from '@jupyterlab/galata';
import { claudePanel, lastAnswer, notebookJSON, recordedRequests, resetMock } from './helpers';

function notebook(): string {
  const code = (id: string, source: string) => ({ id, source });
  return notebookJSON([
    code('numbers', 'values = [3, 1, 4, 1, 5]\nsum(values) / len(values)'),
    code('broken', "values['mean']")
  ]);
}

test.use({ autoGoto: true });

test.beforeEach(async ({ page, request, tmpPath }) => {
  await resetMock(request);
  await page.contents.uploadContent(notebook(), 'text', `${tmpPath}/cells.ipynb`);
  expect(await page.notebook.open('cells.ipynb')).toBe(true);
  await page.notebook.runCell(0);
  await page.notebook.runCell(1);
});

test('"Fix this error" is offered only on a cell with an error, and sends its traceback', async ({ page, request }) => {
  await (await page.notebook.getCellLocator(0))!.click({ button: 'right' });
  const menu = page.locator('.lm-Menu');
  await expect(menu.getByText('Explain This Cell')).toBeVisible();
  await expect(menu.getByText('Ask Claude About This Cell')).toBeVisible();
  await expect(menu.getByText('Continue the Analysis From Here')).toBeVisible();
  // Lumino keeps hidden menu items in the DOM, hidden.
  await expect(menu.getByText('Fix This Error')).toBeHidden();
  await page.keyboard.press('Escape');

  await (await page.notebook.getCellLocator(1))!.click({ button: 'right' });
  await menu.getByText('Fix This Error').click();
  await expect(claudePanel(page)).toBeVisible();
  await expect(claudePanel(page).locator('.jp-Claude-turn-user')).toContainText('Cell #2 (id=broken) raised TypeError');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
  const [sent] = (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
  const text = sent.body.messages[0].content.map((b: any) => b.text ?? '').join('\n');
  expect(text).toContain("values['mean']");
  expect(text).toContain('TypeError: list indices must be integers or slices, not str');
  expect(text).toContain('Traceback');
});

test('the shortcuts explain a cell and continue from it; "Ask about" only fills the box', async ({ page, request }) => {
  await page.notebook.selectCells(0);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Alt+Shift+X');
  await expect(claudePanel(page).locator('.jp-Claude-turn-user')).toContainText('Explain cell #1 (id=numbers)');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');

  await page.notebook.selectCells(0);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Alt+Shift+N');
  await expect(claudePanel(page).locator('.jp-Claude-turn-user').last()).toContainText(
    'Continue the analysis from cell #1'
  );
  await expect(claudePanel(page).locator('.jp-Claude-turn-assistant[data-status="done"]')).toHaveCount(2);

  await page.notebook.selectCells(1);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Alt+Shift+A');
  const box = claudePanel(page).getByRole('textbox', { name: 'Ask Claude' });
  await expect(box).toHaveValue('About cell #2: ');
  await expect(box).toBeFocused();
  expect((await recordedRequests(request)).filter(r => r.path === '/v1/messages')).toHaveLength(2);
  // The cell asked about is attached, as a chip.
  await expect(claudePanel(page).locator('.jp-Claude-chip[data-id="broken"]')).toBeVisible();
});

test('the cell actions are in the command palette', async ({ page }) => {
  await page.keyboard.press('Control+Shift+C');
  const input = page.locator('.lm-CommandPalette-input');
  await input.fill('Claude');
  const items = page.locator('.lm-CommandPalette-item');
  for (const label of ['Explain This Cell', 'Ask Claude About This Cell', 'Continue the Analysis From Here']) {
    await expect(items.filter({ hasText: label })).toHaveCount(1);
  }
});
