/*
 * Shared helpers: scripting the local Messages API server and driving the Claude panel.
 */
import type { IJupyterLabPageFixture, JupyterLabPage } from '@jupyterlab/galata';
import type { APIRequestContext, Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

export const MOCK_URL = process.env.MOCK_API_URL || 'http://127.0.0.1:18765';
export const TEST_KEY = process.env.CLAUDE_TEST_KEY || '';

export async function resetMock(request: APIRequestContext): Promise<void> {
  const response = await request.post(`${MOCK_URL}/_mock/reset`);
  expect(response.ok()).toBeTruthy();
}

export async function queueFixture(
  request: APIRequestContext,
  fixture: string,
  extra: Record<string, unknown> = {}
): Promise<void> {
  const response = await request.post(`${MOCK_URL}/_mock/queue`, { data: { fixture, ...extra } });
  expect(response.ok(), await response.text()).toBeTruthy();
}

export async function recordedRequests(request: APIRequestContext): Promise<any[]> {
  const response = await request.get(`${MOCK_URL}/_mock/requests`);
  return (await response.json()).requests;
}

/** The Claude panel. */
export function claudePanel(page: Page): Locator {
  // The chat inside the sidebar widget (#jp-claude-panel), loaded when the panel is first shown.
  return page.locator('#jp-claude-chat');
}

/** Open the panel from its sidebar tab, if it is not open. */
export async function openPanel(page: Page): Promise<Locator> {
  const panel = claudePanel(page);
  if (!(await panel.isVisible())) {
    await page.locator('.jp-SideBar.jp-mod-right li[data-id="jp-claude-panel"]').click();
  }
  await expect(panel).toBeVisible();
  return panel;
}

/** Ask a question through the message box. */
export async function ask(page: Page, question: string): Promise<void> {
  const panel = await openPanel(page);
  const box = panel.getByRole('textbox', { name: 'Ask Claude' });
  await box.fill(question);
  await box.press('Enter');
}

/**
 * The text of an answer as the scientist sees it, once its last render is on screen: the turn
 * is no longer busy, and a frame has been drawn since (a block just put on the page is skipped
 * by `content-visibility: auto`, and so missing from innerText, until the next frame).
 */
export async function shownText(answer: Locator): Promise<string> {
  await expect(answer).toHaveAttribute('aria-busy', 'false');
  await answer
    .page()
    .evaluate(() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(() => resolve(null)))));
  return answer.locator('.jp-Claude-turnBody').innerText();
}

/** The last answer in the panel. */
export function lastAnswer(page: Page): Locator {
  return claudePanel(page).locator('.jp-Claude-turn-assistant').last();
}

/**
 * Reload JupyterLab and reopen the notebook at `path` with the panel, as a scientist coming back.
 */
export async function reloadWith(page: IJupyterLabPageFixture, path: string): Promise<void> {
  // The notebook comes back open, so there is no Launcher for galata to wait for.
  // (Typed through galata's own reload: its fixture type keeps Playwright's signature.)
  await (page.reload as JupyterLabPage['reload'])({ waitForIsReady: false });
  await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
  // Opened by path (the file browser may show another folder after a reload).
  await page.evaluate(async p => {
    await (window as any).galata.app.commands.execute('docmanager:open', { path: p });
  }, path);
  const name = path.split('/').pop()!;
  await expect(page.getByRole('main').getByRole('tab', { name: new RegExp(`^${name}`) })).toBeVisible();
  await page.notebook.activate(name);
  await openPanel(page);
}

/** A cell for notebookJSON: its source, with an id and the type when not code. */
export interface ICellSpec {
  source: string;
  id?: string;
  cell_type?: 'code' | 'markdown' | 'raw';
  metadata?: Record<string, unknown>;
  outputs?: unknown[];
  execution_count?: number | null;
}

/**
 * A notebook file's text (nbformat 4.5, cell ids, the python3 kernelspec and language_info),
 * built one way for every spec. `metadata` is merged over the notebook's own.
 */
export function notebookJSON(
  cells: Array<string | ICellSpec>,
  options: { metadata?: Record<string, unknown> } = {}
): string {
  return JSON.stringify({
    cells: cells.map((cell, index) => {
      const spec: ICellSpec = typeof cell === 'string' ? { source: cell } : cell;
      const type = spec.cell_type ?? 'code';
      const base = {
        cell_type: type,
        id: spec.id ?? `cell-${index}`,
        source: spec.source,
        metadata: spec.metadata ?? {}
      };
      return type === 'code'
        ? { ...base, outputs: spec.outputs ?? [], execution_count: spec.execution_count ?? null }
        : base;
    }),
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' },
      language_info: { name: 'python' },
      ...options.metadata
    },
    nbformat: 4,
    nbformat_minor: 5
  });
}
