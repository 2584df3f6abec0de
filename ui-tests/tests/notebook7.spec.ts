/*
 * Jupyter Notebook 7 (the same jupyter server, at /tree and /notebooks): the panel opens beside
 * a notebook, answers a question from the local Messages API, and adds no page error.
 * Galata's fixtures drive JupyterLab only, so this spec uses plain Playwright pages.
 */
import type { Page } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { notebookJSON, queueFixture, resetMock } from './helpers';

const NAME = `notebook7-${process.pid}.ipynb`;

/** Page errors and console errors, as text, from now on. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', error => errors.push(`pageerror: ${error.message}`));
  page.on('console', message => {
    if (message.type() === 'error') {
      errors.push(`console: ${message.text()}`);
    }
  });
  return errors;
}

/** Open the notebook from the tree, as a scientist does, and wait for its cells. */
async function openFromTree(page: Page): Promise<void> {
  await page.goto('/tree');
  await expect(page.locator('.jp-DirListing-item', { hasText: NAME })).toBeVisible();
  await page.goto(`/notebooks/${NAME}`);
  await expect(page.locator('.jp-Notebook .jp-Cell').first()).toBeVisible();
  // Let the settings and the notebook's startup finish before the errors are compared.
  await expect(page.locator('.jp-Notebook .jp-Cell .cm-content').first()).toContainText('x = 1');
}

test.beforeEach(async ({ request }) => {
  await resetMock(request);
  const response = await request.put(`/api/contents/${NAME}`, {
    data: { type: 'notebook', format: 'json', content: JSON.parse(notebookJSON(['x = 1'])) }
  });
  expect(response.ok(), await response.text()).toBeTruthy();
});

test.afterEach(async ({ request }) => {
  await request.delete(`/api/contents/${NAME}`);
});

test('in Notebook 7 the panel opens beside a notebook, answers, and adds no page error', async ({
  browser,
  page,
  request
}) => {
  // What Notebook 7 logs on its own, with this extension's bundle blocked: since notebook 7.6.5
  // its shortcuts plugin reads the registry's '@jupyterlab/shortcuts-extension:shortcuts' before
  // that is loaded, when docmanager reloads its settings ("reading 'schema'"), with or without us.
  const bare = await browser.newPage();
  await bare.route('**/extensions/jupyterlab-claude/**', route => route.abort());
  const upstream = collectErrors(bare);
  await openFromTree(bare);
  await bare.waitForTimeout(2000);
  await bare.close();

  const errors = collectErrors(page);
  await openFromTree(page);
  await page.locator('.jp-Notebook').click();
  await page.keyboard.press('Alt+Shift+C');
  const panel = page.locator('#jp-claude-panel');
  await expect(panel).toBeVisible();
  await queueFixture(request, 'hello');
  const box = panel.getByRole('textbox', { name: 'Ask Claude' });
  await box.fill('What does this notebook do?');
  await box.press('Enter');
  const answer = panel.locator('.jp-Claude-turn-assistant').last();
  await expect(answer).toHaveAttribute('data-status', 'done');
  await expect(answer).toContainText('How can I help you with your notebook today?');

  // The extension's own bundle was loaded (the blocked page really ran without it).
  expect(
    await page.evaluate(() =>
      performance.getEntriesByType('resource').some(e => e.name.includes('/extensions/jupyterlab-claude/'))
    )
  ).toBe(true);
  // Only the page errors seen without the extension are allowed (not the blocked bundle's console errors).
  const allowed = upstream.filter(error => error.startsWith('pageerror: '));
  expect(errors.filter(error => !allowed.includes(error))).toEqual([]);
});
