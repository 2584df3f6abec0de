/*
 * What loads when: the Anthropic SDK, the chat, the conversations, the notebooks' sessions, what
 * tools run on, the kernel inspector and the diff view are not part of JupyterLab's start-up;
 * they load from the extension's own files (no other origin) when first needed, and what they
 * render works in the light and the dark theme.
 */
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Response } from '@playwright/test';
import { claudePanel, notebookJSON, openPanel, queueFixture, resetMock } from './helpers';

const NOTEBOOK = notebookJSON([
  { id: 'numbers', source: 'values = [3, 1, 4, 1, 5]\nvalues[2] - values[1]' },
  { id: 'broken', source: "values['mean']" }
]);

/** A string only each lazily loaded piece carries. */
const PIECES = {
  sdk: 'AnthropicError',
  chat: 'Conversation with Claude',
  conversations: 'Saved chats could not be loaded',
  sessions: 'Not a valid hypothesis',
  tools: 'image(s) left out',
  inspector: 'Kernel inspector for jupyterlab-claude',
  merge: 'cm-mergeView'
};

interface ILoaded {
  url: string;
  body: string;
}

/** Record every script the page loads, and every request to another origin. */
function record(page: IJupyterLabPageFixture): { scripts: ILoaded[]; foreign: string[]; settle: () => Promise<void> } {
  const scripts: ILoaded[] = [];
  const foreign: string[] = [];
  const pending: Promise<void>[] = [];
  const origin = new URL(page.url()).origin;
  page.on('request', request => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) {
      foreign.push(url);
    }
  });
  page.on('response', (response: Response) => {
    if (!/\/extensions\/jupyterlab-claude\/.*\.js(\?|$)/.test(response.url())) {
      return;
    }
    pending.push(
      response
        .body()
        .then(body => void scripts.push({ url: response.url(), body: body.toString('utf-8') }))
        .catch(() => undefined)
    );
  });
  return { scripts, foreign, settle: async () => void (await Promise.all(pending)) };
}

function loadedPieces(scripts: ILoaded[]): string[] {
  return Object.entries(PIECES)
    .filter(([, marker]) => scripts.some(s => s.body.includes(marker)))
    .map(([name]) => name);
}

/** Relative luminance of a CSS rgb() colour. */
function luminance(color: string): number {
  const [r, g, b] = (color.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map(Number);
  const channel = (c: number) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

async function contrast(page: IJupyterLabPageFixture, selector: string): Promise<{ ratio: number; bg: number }> {
  const { color, background } = await page.evaluate(sel => {
    const node = document.querySelector(sel)!;
    const style = getComputedStyle(node);
    // The first opaque background up the tree.
    let bg = 'rgb(255, 255, 255)';
    for (let el: Element | null = node; el; el = el.parentElement) {
      const c = getComputedStyle(el).backgroundColor;
      if (c && !/rgba\(.*,\s*0\)$/.test(c) && c !== 'transparent') {
        bg = c;
        break;
      }
    }
    return { color: style.color, background: bg };
  }, selector);
  const [a, b] = [luminance(color), luminance(background)].sort((x, y) => y - x);
  return { ratio: (a + 0.05) / (b + 0.05), bg: luminance(background) };
}

test.use({ autoGoto: true });

test.beforeEach(async ({ page, request, tmpPath }) => {
  await resetMock(request);
  await page.contents.uploadContent(NOTEBOOK, 'text', `${tmpPath}/fix.ipynb`);
});

for (const theme of ['light', 'dark'] as const) {
  test(`start-up loads none of the lazy pieces; they load from the extension's files when needed (${theme} theme)`, async ({
    page,
    request
  }) => {
    if (theme === 'dark') {
      await page.theme.setDarkTheme();
    } else {
      await page.theme.setLightTheme();
    }
    const seen = record(page);
    await page.reload();
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    expect(await page.notebook.open('fix.ipynb')).toBe(true);
    await page.notebook.runCell(0);
    await page.notebook.runCell(1);
    await seen.settle();
    // The extension ran at start-up (its sidebar tab is there) without any of the pieces.
    await expect(page.locator('.jp-SideBar.jp-mod-right li[data-id="jp-claude-panel"]')).toBeVisible();
    expect(seen.scripts.length).toBeGreaterThan(0);
    expect(loadedPieces(seen.scripts)).toEqual([]);

    // Opening the panel loads the chat, the conversations and the sessions, and the SDK once
    // the model picker asks the upstream for its models (the list is in when the picker offers
    // more than the configured model: waiting for it keeps the SDK's load from racing the
    // check). The kernel inspector may load then too (the open notebook's context is read for
    // the panel) or with the question. What tools run on loads with the proposing tool call,
    // and the diff view with a replacement card, not before.
    await openPanel(page);
    await expect
      .poll(() => claudePanel(page).locator('.jp-Claude-header select option').count(), { timeout: 30000 })
      .toBeGreaterThan(1);
    await seen.settle();
    expect(loadedPieces(seen.scripts).filter(piece => piece !== 'inspector')).toEqual([
      'sdk',
      'chat',
      'conversations',
      'sessions'
    ]);
    await queueFixture(request, 'tool_propose_fix');
    await (await page.notebook.getCellLocator(1))!.click({ button: 'right' });
    await page.locator('.lm-Menu').getByText('Fix This Error').click();
    const card = claudePanel(page).locator('.jp-Claude-proposal');
    await expect(card).toHaveAttribute('data-status', 'pending');
    await expect(card.locator('.cm-deletedChunk')).toContainText("values['mean']");
    await seen.settle();
    expect(loadedPieces(seen.scripts).sort()).toEqual([
      'chat',
      'conversations',
      'inspector',
      'merge',
      'sdk',
      'sessions',
      'tools'
    ]);
    expect(seen.foreign).toEqual([]);

    // What they render follows the theme and stays readable.
    const panel = await contrast(page, '#jp-claude-chat .jp-Claude-proposalTitle');
    expect(panel.ratio).toBeGreaterThan(4.5);
    const diff = await contrast(page, '#jp-claude-chat .jp-Claude-proposal .cm-deletedChunk');
    expect(diff.ratio).toBeGreaterThan(3);
    if (theme === 'dark') {
      expect(panel.bg).toBeLessThan(0.2);
    } else {
      expect(panel.bg).toBeGreaterThan(0.6);
    }
    await page.screenshot({ path: test.info().outputPath(`panel-${theme}.png`) });
    await card.getByRole('button', { name: 'Reject' }).click();
    await expect(card).toHaveAttribute('data-status', 'rejected');
  });
}
