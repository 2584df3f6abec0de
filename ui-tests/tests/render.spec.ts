/*
 * A streamed answer, rendered block by block as it arrives, ends as exactly the DOM of the same
 * answer rendered at once (the saved chat after a reload): same sanitizer, same remote content
 * placeholders, same copy and insert buttons. Fences split across events, tables, nested lists,
 * raw HTML, math, the XSS and remote content corpora, and a stream cut inside a fence.
 */
import type { Locator } from '@playwright/test';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { expect, test } from '@jupyterlab/galata';
import { ask, lastAnswer, openPanel, queueFixture, reloadWith, resetMock, shownText } from './helpers';

test.use({ autoGoto: true });

function notebook(): string {
  return JSON.stringify({
    cells: [{ cell_type: 'code', source: 'x = 1', metadata: {}, outputs: [], execution_count: null }],
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' } },
    nbformat: 4,
    nbformat_minor: 5
  });
}

/** The answer's HTML; the placeholder mark is random per page load, so it is named, not compared. */
async function html(body: Locator): Promise<string> {
  return (await body.innerHTML()).replace(/data-claude-remote="[0-9a-f]+"/g, 'data-claude-remote="TOKEN"');
}

/** The answer's HTML once it has stopped changing (math typesets after the text is shown). */
async function settledHtml(body: Locator): Promise<string> {
  let last = '';
  await expect
    .poll(
      async () => {
        const now = await html(body);
        const same = now === last && now !== '';
        last = now;
        return same;
      },
      { intervals: [500] }
    )
    .toBe(true);
  return last;
}

async function streamThenReload(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  name: string,
  fixture: string,
  status: string
) {
  const path = `${tmpPath}/${name}.ipynb`;
  await page.contents.uploadContent(notebook(), 'text', path);
  expect(await page.notebook.openByPath(path)).toBe(true);
  await openPanel(page);
  await queueFixture(page.request, fixture);
  await ask(page, 'Show me the cases');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', status);
  const body = lastAnswer(page).locator('.jp-Claude-turnBody');
  const streamed = await settledHtml(body);
  await expect(page.locator('#jp-claude-chat')).toHaveAttribute('data-save-state', 'saved');

  await reloadWith(page, path);
  await expect(lastAnswer(page)).toHaveAttribute('data-status', status);
  // Reopened, the saved answer is rendered at once, as one text.
  await expect.poll(() => html(lastAnswer(page).locator('.jp-Claude-turnBody'))).toBe(streamed);
  return streamed;
}

test.beforeEach(async ({ request }) => {
  await resetMock(request);
});

test('hard Markdown streamed in 1-12 character deltas ends as the DOM of one render', async ({ page, tmpPath }) => {
  const streamed = await streamThenReload(page, tmpPath, 'cases', 'render_cases', 'done');
  expect(streamed).toContain('End of the cases.');
  // Every code block got its buttons once.
  const answer = lastAnswer(page);
  const blocks = await answer.locator('pre').count();
  expect(blocks).toBeGreaterThan(5);
  await expect(answer.locator('.jp-Claude-codeBlock')).toHaveCount(blocks);
  await expect(answer.getByRole('button', { name: 'Copy code' })).toHaveCount(blocks);
  await expect(answer.getByRole('button', { name: 'Insert below' })).toHaveCount(blocks);
  // The remote images of the corpus wait behind their buttons.
  expect(await answer.locator('.jp-Claude-loadImage').count()).toBeGreaterThan(3);
});

for (const fixture of ['xss_corpus', 'remote_content']) {
  test(`the ${fixture} corpus streamed ends as the DOM of one render`, async ({ page, tmpPath }) => {
    await streamThenReload(page, tmpPath, fixture, fixture, 'done');
  });
}

test('an answer cut inside a code fence ends as the DOM of one render of the partial text', async ({
  page,
  tmpPath
}) => {
  await streamThenReload(page, tmpPath, 'cut', 'render_cut_fence', 'cut');
  await expect(lastAnswer(page).locator('pre')).toContainText('x = np.arange(10)');
  await expect(lastAnswer(page).getByRole('button', { name: 'Copy code' })).toHaveCount(1);
});

test('a fast stream is shown at most once per 50 ms while it streams, and ends whole', async ({ page, tmpPath }) => {
  const path = `${tmpPath}/paced.ipynb`;
  await page.contents.uploadContent(notebook(), 'text', path);
  expect(await page.notebook.openByPath(path)).toBe(true);
  await openPanel(page);
  // Every render swaps the answer body's children in one task: one observer call each.
  await page.evaluate(() => {
    const swaps: Array<{ at: number; streaming: boolean }> = ((window as any).__swaps = []);
    new MutationObserver(records => {
      const body = records
        .map(r => r.target as Element)
        .find(t => t.matches?.('.jp-Claude-turn-assistant > .jp-Claude-turnBody'));
      if (body) {
        const turn = body.closest('.jp-Claude-turn-assistant')!;
        swaps.push({ at: performance.now(), streaming: turn.getAttribute('data-status') === 'streaming' });
      }
    }).observe(document.querySelector('#jp-claude-chat')!, { childList: true, subtree: true });
  });
  // 400 deltas 5 ms apart: one render per event (or per frame) would be 2-8 times the pace.
  await queueFixture(page.request, 'slow_long', { event_delay_ms: 5, repeat_text_deltas: 400 });
  await ask(page, 'Stream fast');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done', { timeout: 30000 });
  await expect(lastAnswer(page).locator('.jp-Claude-turnBody')).toContainText('watch the text grow.');
  const text = await shownText(lastAnswer(page));
  expect(text.match(/Streaming /g)?.length).toBe(400);
  const swaps: Array<{ at: number; streaming: boolean }> = await page.evaluate(() => (window as any).__swaps);
  const streaming = swaps.filter(s => s.streaming);
  // The answer was shown as it came, not only at its end.
  expect(streaming.length).toBeGreaterThan(4);
  // Renders start at least 50 ms apart, so n of them span at least 50 (n - 1) ms, less the
  // difference between the first and the last one's own time (one slot of slack for it).
  const span = streaming[streaming.length - 1].at - streaming[0].at;
  expect(streaming.length - 1).toBeLessThanOrEqual(span / 50 + 1);
});
