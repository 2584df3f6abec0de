/*
 * Two users in Chromium through the hub's login page: each opens JupyterLab on their own server,
 * asks Claude a question in the panel and gets the answer. Every response the browser receives
 * is kept (status, headers, body) and scanned for the key. Prints one JSON report on stdout.
 *
 * node tests/hub/browser.js <hub url> <password> <key>   (playwright-core from ui-tests/node_modules)
 */
const path = require('path');
const { chromium } = require(path.join(__dirname, '..', '..', 'ui-tests', 'node_modules', 'playwright-core'));

const [hub, password, key] = process.argv.slice(2);
const TIMEOUT = 60000;

async function asUser(browser, user, other) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const report = { user, responses: 0, leaks: [], answer: '', models: [], note: '', otherServer: [] };
  const scans = [];
  page.on('response', response => {
    scans.push(
      (async () => {
        report.responses++;
        const headers = JSON.stringify(await response.allHeaders());
        let body = '';
        try {
          body = (await response.body()).toString('latin1');
        } catch {
          // A redirect, or a body the browser did not keep.
        }
        if (headers.includes(key) || body.includes(key)) {
          report.leaks.push(response.url());
        }
      })()
    );
  });
  const errors = [];
  page.on('pageerror', error => errors.push(String(error)));
  page.on('console', message => message.type() === 'error' && errors.push(message.text()));
  try {
    await steps(page, report, user, other);
  } catch (error) {
    await page.screenshot({ path: path.join(process.env.HUB_STATE || '.', `${user}-failed.png`) });
    throw new Error(`${user}: ${error.message}\nbrowser errors: ${errors.join('\n')}`);
  }
  await Promise.all(scans);
  await context.close();
  return report;
}

async function steps(page, report, user, other) {
  await page.goto(`${hub}/hub/login`);
  await page.fill('input[name="username"]', user);
  await page.fill('input[name="password"]', password);
  await page.click('input[type="submit"], button[type="submit"]');
  await page.waitForURL(new RegExp(`/user/${user}/lab`), { timeout: TIMEOUT });
  await page.locator('.jp-SideBar.jp-mod-right li[data-id="jp-claude-panel"]').click();
  const panel = page.locator('#jp-claude-chat');
  await panel.waitFor();
  const box = panel.getByRole('textbox', { name: 'Ask Claude' });
  await box.fill(`Hello from ${user}`);
  await box.press('Enter');
  const answer = panel.locator('.jp-Claude-turn-assistant').last();
  await answer.getByText('How can I help').waitFor();
  report.answer = (await answer.innerText()).trim();
  report.models = await panel.locator('select.jp-Claude-model option').evaluateAll(os => os.map(o => o.value));
  report.note = (await page.locator('.jp-Claude-policyNote').innerText()).trim();
  await page.screenshot({ path: path.join(process.env.HUB_STATE || '.', `${user}.png`) });
  // The other user's server, from this user's page: the hub must not let the session in.
  for (const route of ['claude/policy', 'claude/status', `claude/conversations?notebook=a.ipynb`]) {
    const status = await page.evaluate(async url => {
      const r = await fetch(url, { redirect: 'follow' });
      return { status: r.status, url: r.url, json: r.headers.get('content-type')?.includes('json') ?? false };
    }, `${hub}/user/${other}/${route}`);
    report.otherServer.push({ route, ...status });
  }
}

(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium' });
  try {
    const reports = await Promise.all([asUser(browser, 'alice', 'bob'), asUser(browser, 'bob', 'alice')]);
    process.stdout.write(JSON.stringify(reports));
  } finally {
    await browser.close();
  }
})().catch(error => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
