/*
 * Model output is untrusted: a corpus of XSS payloads streamed as an answer executes nothing.
 */
import { expect, test } from '@jupyterlab/galata';
import { ask, claudePanel, lastAnswer, queueFixture, resetMock } from './helpers';

test.use({ autoGoto: true });

test('an answer made of 36 XSS payloads renders inert', async ({ page, request }) => {
  await resetMock(request);
  const dialogs: string[] = [];
  page.on('dialog', dialog => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  // The trap: every payload writes to window.__xss or calls alert.
  await page.evaluate(() => {
    (window as any).__xss = 0;
    window.alert = () => ((window as any).__xss = 'alert');
  });
  await queueFixture(request, 'xss_corpus');
  await ask(page, 'Show me the payloads');
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-status', 'done');
  await expect(answer).toContainText('XSS corpus');
  // Give loads, errors, toggles and focus handlers a chance to fire.
  await page.waitForTimeout(1500);
  for (const link of await answer.locator('a').all()) {
    await link.click({ modifiers: [], trial: false, force: true, noWaitAfter: true }).catch(() => undefined);
  }
  await page.waitForTimeout(500);

  expect(await page.evaluate(() => (window as any).__xss)).toBe(0);
  expect(dialogs).toEqual([]);
  const body = answer.locator('.jp-Claude-turnBody');
  const present = await body.evaluate(root =>
    Array.from(root.querySelectorAll('script, iframe, object, embed, form, meta, base, link, style')).map(
      el => el.outerHTML
    )
  );
  expect(present).toEqual([]);
  const dangerous = await body.evaluate(root =>
    Array.from(root.querySelectorAll('*')).flatMap(el =>
      Array.from(el.attributes)
        .filter(
          a =>
            a.name.startsWith('on') ||
            /^\s*(javascript|data|vbscript):/i.test(a.value.replace(/[\s\u0000-\u001f]/g, ''))
        )
        .map(a => `${el.tagName}.${a.name}=${a.value}`)
    )
  );
  expect(dangerous).toEqual([]);
  // The page is still JupyterLab (no navigation away).
  await expect(claudePanel(page)).toBeVisible();
});
