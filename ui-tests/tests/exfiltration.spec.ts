/*
 * Zero-click exfiltration: an answer that tries every way to make the browser load from another
 * origin (an injected prompt's favourite trick) loads nothing until the scientist clicks, neither
 * when it streams in nor when the saved chat reopens; one click loads that one image, without a
 * Referer naming the Jupyter server.
 */
import type { BrowserContext, Page, Request } from '@playwright/test';
import { expect, test } from '@jupyterlab/galata';
import { ask, claudePanel, lastAnswer, notebookJSON, openPanel, queueFixture, reloadWith, resetMock } from './helpers';

test.use({ autoGoto: true });

const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64'
);

/**
 * Every request the browser makes to an origin other than the Jupyter server's. The made-up
 * attacker host is answered with a pixel so a load that slips through completes (and is seen).
 */
async function listenForeign(context: BrowserContext, labOrigin: string): Promise<Request[]> {
  const seen: Request[] = [];
  context.on('request', request => {
    const url = request.url();
    if (/^(data|blob|about|chrome|chrome-extension|devtools):/.test(url)) {
      return;
    }
    if (new URL(url).origin !== labOrigin) {
      seen.push(request);
    }
  });
  await context.route(/^https?:\/\/attacker\.invalid\//, route =>
    route.fulfill({ status: 200, contentType: 'image/png', body: PIXEL })
  );
  return seen;
}

function notebook(): string {
  return notebookJSON(['x = 1']);
}

/** Remote URLs still in the answer's DOM, in any attribute or inline style. */
async function remoteAttributes(page: Page): Promise<string[]> {
  return lastAnswer(page)
    .locator('.jp-Claude-turnBody')
    .evaluate(root =>
      Array.from(root.querySelectorAll('*')).flatMap(el =>
        Array.from(el.attributes)
          .filter(a => /attacker\.invalid\//i.test(a.value))
          // A link's target is shown and needs a click; the placeholder keeps the address it names.
          .filter(a => !(a.name === 'href' && el.localName === 'a'))
          .filter(a => a.name !== 'data-claude-remote-src')
          .map(a => `${el.localName}.${a.name}=${a.value}`)
      )
    );
}

test('an answer loading from another origin in 30 ways requests nothing before a click, before and after reload', async ({
  page,
  context,
  request,
  tmpPath
}) => {
  const labOrigin = new URL(page.url()).origin;
  const foreign = await listenForeign(context, labOrigin);
  await resetMock(request);

  // The premise: a document from DOMParser (where the answer's HTML is rewritten) loads nothing.
  await page.evaluate(() => {
    const doc = new DOMParser().parseFromString(
      '<img src="http://attacker.invalid/inert-probe.png"><div style="background:url(http://attacker.invalid/inert-style.png)">x</div>',
      'text/html'
    );
    (window as any).__inert = doc;
  });

  const path = `${tmpPath}/leaky.ipynb`;
  await page.contents.uploadContent(notebook(), 'text', path);
  expect(await page.notebook.openByPath(path)).toBe(true);
  await openPanel(page);

  await queueFixture(request, 'remote_content');
  await ask(page, 'Summarise the data');
  const answer = lastAnswer(page);
  await expect(answer).toHaveAttribute('data-status', 'done');
  await expect(answer).toContainText('A data image is fine');
  await expect(claudePanel(page)).toHaveAttribute('data-save-state', 'saved');
  // Give lazy images, media, fonts and math a chance to ask.
  await page.mouse.wheel(0, 4000);
  await page.waitForTimeout(2000);
  expect(foreign.map(r => r.url())).toEqual([]);
  expect(await remoteAttributes(page)).toEqual([]);

  const body = answer.locator('.jp-Claude-turnBody');
  // Each remote image is a placeholder naming its host, with its own button.
  const placeholders = body.locator('.jp-Claude-remoteImage');
  expect(
    await placeholders.evaluateAll(els => els.map(el => new URL((el as HTMLElement).dataset.claudeRemoteSrc!).pathname))
  ).toEqual([
    '/md-image.png',
    '/ref-image.png',
    '/img-src.png',
    '/protocol-relative.png',
    '/img-spaces.png',
    '/img-upper.png',
    '/img-backslash.png',
    '/img-https.png'
  ]);
  await expect(placeholders.first()).toContainText('attacker.invalid');
  await expect(placeholders.first().getByRole('button', { name: 'Load image' })).toBeVisible();
  // The data: image is drawn; links still need a click and give nothing away when followed.
  await expect(body.locator('img[alt="pixel"]')).toHaveAttribute('src', /^data:image\/png;base64,/);
  for (const link of await body.locator('a[href*="attacker.invalid"]').all()) {
    await expect(link).toHaveAttribute('target', '_blank');
    await expect(link).toHaveAttribute('rel', /\bnoopener\b/);
    await expect(link).toHaveAttribute('rel', /\bnoreferrer\b/);
    await expect(link).not.toHaveAttribute('ping', /.*/);
  }
  expect(
    await body.evaluate(root =>
      Array.from(root.querySelectorAll('style, link, iframe, object, embed, base, meta, set, animate')).map(
        e => e.outerHTML
      )
    )
  ).toEqual([]);

  // Link host names are not looked up ahead of a click either (where the browser honours it).
  await expect(page.locator('head meta[http-equiv="x-dns-prefetch-control"]')).toHaveAttribute('content', 'off');

  // The saved chat reopens through the same path: still nothing.
  await reloadWith(page, path);
  await expect(lastAnswer(page)).toContainText('A data image is fine');
  await page.mouse.wheel(0, 4000);
  await page.waitForTimeout(2000);
  expect(foreign.map(r => r.url())).toEqual([]);
  expect(await remoteAttributes(page)).toEqual([]);

  // One click loads that one image, and tells its host nothing about where it is shown.
  const first = lastAnswer(page).locator('.jp-Claude-remoteImage').filter({ hasText: 'attacker.invalid' }).first();
  const loaded = page.waitForRequest(/attacker\.invalid\/md-image\.png/);
  await first.getByRole('button', { name: 'Load image' }).click();
  const hit = await loaded;
  const image = lastAnswer(page).locator('img[src*="md-image.png"]');
  await expect(image).toHaveAttribute('referrerpolicy', 'no-referrer');
  await expect.poll(() => image.evaluate(img => (img as HTMLImageElement).naturalWidth)).toBe(1);
  await page.waitForTimeout(1000);
  expect(foreign.map(r => r.url())).toEqual(['http://attacker.invalid/md-image.png?d=SECRET']);
  const headers = await hit.allHeaders();
  expect(headers['referer']).toBeUndefined();
  await expect(lastAnswer(page).locator('.jp-Claude-remoteImage')).toHaveCount(7);
});
