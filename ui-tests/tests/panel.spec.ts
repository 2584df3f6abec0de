import { expect, test } from '@jupyterlab/galata';
import {
  ask,
  claudePanel,
  lastAnswer,
  notebookJSON,
  openPanel,
  queueFixture,
  recordedRequests,
  resetMock,
  shownText,
  TEST_KEY
} from './helpers';

test.use({ autoGoto: true });

function emptyNotebook(): string {
  return notebookJSON(['x = 1']);
}

test.beforeEach(async ({ request }) => {
  await resetMock(request);
});

test.describe('the Claude panel', () => {
  test('opens from the sidebar, the command palette and the keyboard shortcut', async ({ page }) => {
    const tab = page.locator('.jp-SideBar.jp-mod-right li[data-id="jp-claude-panel"]');
    await expect(tab).toHaveAttribute('title', /Claude/);
    const panel = claudePanel(page);

    await tab.click();
    await expect(panel).toBeVisible();
    await tab.click();
    await expect(panel).toBeHidden();

    await page.keyboard.press('Control+Shift+C');
    await page.locator('.lm-CommandPalette-input').fill('Open Claude Panel');
    await page.keyboard.press('Enter');
    await expect(panel).toBeVisible();
    await expect(panel.getByRole('textbox', { name: 'Ask Claude' })).toBeFocused();
    await tab.click();
    await expect(panel).toBeHidden();

    await page.locator('#jp-main-dock-panel').click();
    await page.keyboard.press('Alt+Shift+C');
    await expect(panel).toBeVisible();
    await expect(panel.getByRole('textbox', { name: 'Ask Claude' })).toBeFocused();
    await expect(panel.getByRole('button', { name: 'Send' })).toBeVisible();
    await expect(panel.getByRole('button', { name: 'Stop' })).toBeDisabled();
    await expect(panel.getByRole('button', { name: 'New chat' })).toBeVisible();
  });

  test('its shortcut can be remapped in the keyboard shortcut settings', async ({ page }) => {
    const panel = claudePanel(page);
    // What Settings › Keyboard Shortcuts writes: the old binding disabled, a new one added.
    await page.evaluate(async () => {
      const settings = await (window as any).galata.getPlugin('@jupyterlab/apputils-extension:settings');
      await settings.set('@jupyterlab/shortcuts-extension:shortcuts', 'shortcuts', [
        { command: 'claude:open-panel', keys: ['Alt Shift C'], selector: 'body', disabled: true },
        { command: 'claude:open-panel', keys: ['Alt Shift J'], selector: 'body' }
      ]);
    });
    await expect
      .poll(() =>
        page.evaluate(() =>
          (window as any).jupyterapp.commands.keyBindings
            .filter((b: any) => b.command === 'claude:open-panel')
            .map((b: any) => b.keys.join(' '))
        )
      )
      .toEqual(['Alt Shift J']);
    await page.locator('#jp-main-dock-panel').click();
    await page.keyboard.press('Alt+Shift+C');
    await page.waitForTimeout(500);
    await expect(panel).toBeHidden();
    await page.keyboard.press('Alt+Shift+J');
    await expect(panel).toBeVisible();
    await page.evaluate(async () => {
      const settings = await (window as any).galata.getPlugin('@jupyterlab/apputils-extension:settings');
      await settings.remove('@jupyterlab/shortcuts-extension:shortcuts', 'shortcuts');
    });
  });

  test('shows the model in use, listed from the upstream', async ({ page }) => {
    const panel = await openPanel(page);
    const model = panel.getByRole('combobox', { name: 'Model' });
    await expect(model).toHaveValue('claude-sonnet-5-5');
    await expect(model.locator('option')).not.toHaveCount(1);
  });

  test('streams an answer: text is visible before the stream ends', async ({ page, request }) => {
    await queueFixture(request, 'slow_long');
    await ask(page, 'What does this data set contain?');
    const answer = lastAnswer(page);
    // Partial text shows while the answer is still streaming.
    await expect(answer).toHaveAttribute('data-status', 'streaming');
    await expect(answer.locator('.jp-Claude-turnBody')).not.toBeEmpty();
    const partial = (await answer.locator('.jp-Claude-turnBody').innerText()).length;
    await expect(answer).toHaveAttribute('data-status', 'streaming');
    await expect(answer).toHaveAttribute('data-status', 'done', { timeout: 30000 });
    const full = (await shownText(answer)).length;
    expect(full).toBeGreaterThan(partial);
    // What was sent upstream went through the proxy with the server's key.
    const [sent] = (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
    const blocks = sent.body.messages[0].content;
    expect(blocks[blocks.length - 1].text).toBe('What does this data set contain?');
    expect(sent.headers['x-api-key'] ?? sent.headers['authorization']).toContain(TEST_KEY);
  });

  test('Stop keeps the partial answer', async ({ page, request }) => {
    await queueFixture(request, 'slow_long');
    await ask(page, 'Explain the method');
    const answer = lastAnswer(page);
    const body = answer.locator('.jp-Claude-turnBody');
    await expect(body).not.toBeEmpty();
    await claudePanel(page).getByRole('button', { name: 'Stop' }).click();
    await expect(answer).toHaveAttribute('data-status', 'stopped');
    const kept = await shownText(answer);
    expect(kept.length).toBeGreaterThan(0);
    await expect(answer.locator('.jp-Claude-turnStatus')).toContainText('partial answer is kept');
    await page.waitForTimeout(1000);
    expect(await shownText(answer)).toBe(kept);
    await expect(claudePanel(page).getByRole('button', { name: 'Send' })).toBeVisible();
  });

  test('renders Markdown with highlighted code and a copy button', async ({ page, request }) => {
    await queueFixture(request, 'markdown_code');
    await ask(page, 'Show me how to load the CSV');
    const answer = lastAnswer(page);
    await expect(answer).toHaveAttribute('data-status', 'done');
    await expect(answer.locator('pre')).toHaveCount(1);
    // JupyterLab's highlighter marks tokens with spans.
    await expect(answer.locator('pre span').first()).toBeVisible();
    await expect(answer.locator('h1, h2, h3').first()).toBeVisible();
    const copy = answer.getByRole('button', { name: 'Copy code' });
    await copy.click();
    await expect(copy).toHaveText('Copied');
    const clipboard = await page.evaluate(() => navigator.clipboard.readText());
    expect(clipboard).toContain('import pandas');
  });

  const errors: Array<[string, string, RegExp]> = [
    ['error_401', 'invalid-key', /rejected \(401\)/],
    ['error_429', 'rate-limited', /Rate limited \(429\)[\s\S]*Retry in 2 s/],
    ['error_529', 'overloaded', /overloaded \(529\)/],
    ['error_500', 'upstream', /unavailable \(500\)/]
  ];
  for (const [fixture, kind, message] of errors) {
    test(`shows a clear message for ${fixture} and keeps the conversation`, async ({ page, request }) => {
      // Enough for the SDK's automatic retries too.
      await queueFixture(request, fixture, { times: 3 });
      await ask(page, 'Fit a model to the data');
      const answer = lastAnswer(page);
      await expect(answer).toHaveAttribute('data-status', 'error', { timeout: 30000 });
      const alert = answer.getByRole('alert');
      await expect(alert).toHaveAttribute('data-kind', kind);
      await expect(alert).toHaveText(message);
      await expect(claudePanel(page).locator('.jp-Claude-turn-user')).toHaveText(/Fit a model to the data/);
      // Retry asks again and, with the upstream healthy, answers.
      await resetMock(request);
      await answer.getByRole('button', { name: 'Retry' }).click();
      await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
      await expect(claudePanel(page).locator('.jp-Claude-turn')).toHaveCount(2);
    });
  }

  test('keeps the partial answer when the network is cut mid-answer', async ({ page, request }) => {
    await queueFixture(request, 'cut_mid_stream');
    await ask(page, 'Describe the columns');
    const answer = lastAnswer(page);
    await expect(answer).toHaveAttribute('data-status', 'cut');
    await expect(answer.locator('.jp-Claude-turnBody')).not.toBeEmpty();
    await expect(answer.getByRole('alert')).toContainText('cut off');
    await expect(answer.getByRole('button', { name: 'Retry' })).toBeVisible();
    // The cut request is not resent automatically.
    expect((await recordedRequests(request)).filter(r => r.path === '/v1/messages')).toHaveLength(1);
  });

  test('each notebook has its own conversation; an answer never lands in another', async ({
    page,
    request,
    tmpPath
  }) => {
    for (const name of ['first.ipynb', 'second.ipynb']) {
      await page.contents.uploadContent(emptyNotebook(), 'text', `${tmpPath}/${name}`);
      expect(await page.notebook.open(name)).toBe(true);
    }
    await page.notebook.activate('first.ipynb');
    await queueFixture(request, 'slow_long', { event_delay_ms: 60 });
    await ask(page, 'Question about the first notebook');
    await expect(lastAnswer(page).locator('.jp-Claude-turnBody')).not.toBeEmpty();
    await expect(claudePanel(page)).toContainText('first.ipynb');

    await page.notebook.activate('second.ipynb');
    const panel = claudePanel(page);
    await expect(panel).toContainText('second.ipynb');
    await expect(panel.locator('.jp-Claude-turn')).toHaveCount(0);
    // Wait for the first notebook's answer to finish while the second is in focus.
    await page.waitForTimeout(5000);
    await expect(panel.locator('.jp-Claude-turn')).toHaveCount(0);

    await page.notebook.activate('first.ipynb');
    await expect(panel.locator('.jp-Claude-turn')).toHaveCount(2);
    await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done', { timeout: 30000 });
    await page.notebook.activate('second.ipynb');
    await expect(panel.locator('.jp-Claude-turn')).toHaveCount(0);
  });

  test('the API key never reaches the browser', async ({ page, request }) => {
    expect(TEST_KEY.length).toBeGreaterThan(20);
    const leaks: string[] = [];
    const scanned: string[] = [];
    const pending: Promise<void>[] = [];
    page.on('response', response => {
      pending.push(
        (async () => {
          const headers = JSON.stringify(await response.allHeaders());
          let body = '';
          try {
            body = (await response.body()).toString('utf-8');
          } catch {
            // Redirects and aborted requests have no body.
          }
          scanned.push(response.url());
          if (headers.includes(TEST_KEY) || body.includes(TEST_KEY)) {
            leaks.push(response.url());
          }
        })()
      );
    });
    await page.reload();
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    await openPanel(page);
    await ask(page, 'Hello');
    await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
    // An upstream that echoes the key in an error body: the proxy scrubs it.
    await queueFixture(request, 'error_401_echo_key', { times: 3 });
    await ask(page, 'Again');
    await expect(lastAnswer(page)).toHaveAttribute('data-status', 'error');
    await queueFixture(request, 'error_429', { times: 3 });
    await ask(page, 'And again');
    await expect(lastAnswer(page)).toHaveAttribute('data-status', 'error', { timeout: 30000 });
    // Settings and the server's status route too.
    await page.evaluate(async () => {
      await fetch('/lab/api/settings/jupyterlab-claude:plugin');
      await fetch('/claude/status');
    });
    await Promise.all(pending);
    expect(scanned.some(url => url.includes('/claude/v1/messages'))).toBe(true);
    expect(scanned.some(url => url.includes('/claude/v1/models'))).toBe(true);
    expect(scanned.some(url => url.includes('/claude/status'))).toBe(true);
    expect(leaks).toEqual([]);
  });
});
