/*
 * The server side as a browser meets it, on Jupyter servers started with real token auth
 * and XSRF checks (Galata's own server has both turned off): a server with no key, and a
 * server whose upstream is down.
 */
import { expect, request as playwrightRequest, test, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MOCK_URL, recordedRequests, resetMock } from './helpers';

const TOKEN = `token-${Math.random().toString(16).slice(2)}`;

interface IServer {
  url: string;
  process: ChildProcess;
  root: string;
}

async function startServer(port: number, env: Record<string, string | undefined>): Promise<IServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claude-auth-'));
  const childEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...env })) {
    if (value !== undefined) {
      childEnv[key] = value;
    }
  }
  const child = spawn(
    'jupyter',
    [
      'lab',
      '--no-browser',
      `--port=${port}`,
      '--ServerApp.port_retries=0',
      `--IdentityProvider.token=${TOKEN}`,
      `--ServerApp.root_dir=${root}`,
      '--allow-root'
    ],
    { env: childEnv, stdio: 'ignore' }
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i++) {
    try {
      const response = await fetch(`${url}/api/status?token=${TOKEN}`);
      if (response.ok) {
        return { url, process: child, root };
      }
    } catch {
      // Not up yet.
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  child.kill();
  throw new Error(`Jupyter server on port ${port} did not start`);
}

function stopServer(server: IServer | undefined): void {
  server?.process.kill('SIGTERM');
}

async function openLab(page: Page, server: IServer): Promise<void> {
  await page.goto(`${server.url}/lab?token=${TOKEN}`);
  await page.waitForSelector('#jupyterlab-splash', { state: 'detached', timeout: 60000 });
  await page.locator('#jp-main-dock-panel').click();
  await page.keyboard.press('Alt+Shift+C');
  await expect(page.locator('#jp-claude-panel')).toBeVisible();
}

async function askInPanel(page: Page, question: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Ask Claude' });
  await box.fill(question);
  await box.press('Enter');
}

test.describe('a server with no API key configured', () => {
  let server: IServer | undefined;

  test.beforeAll(async () => {
    server = await startServer(8891, {
      ANTHROPIC_API_KEY: undefined,
      ANTHROPIC_AUTH_TOKEN: undefined,
      ANTHROPIC_BASE_URL: MOCK_URL
    });
  });

  test.afterAll(() => stopServer(server));

  test('tells the scientist exactly how to set the key, and forwards nothing', async ({ page, request }) => {
    await resetMock(request);
    await openLab(page, server!);
    await askInPanel(page, 'Hello?');
    const alert = page.locator('.jp-Claude-turn-assistant').last().getByRole('alert');
    await expect(alert).toHaveAttribute('data-kind', 'no-key');
    await expect(alert).toContainText('No Anthropic API key is configured');
    await expect(alert).toContainText('ANTHROPIC_API_KEY');
    await expect(page.locator('.jp-Claude-turn-user')).toHaveText(/Hello\?/);
    const forwarded = (await recordedRequests(request)).filter(r => r.path.startsWith('/v1/'));
    expect(forwarded).toEqual([]);
  });

  test('refuses unauthenticated requests on every route', async () => {
    const anonymous = await playwrightRequest.newContext();
    const routes: Array<[string, string]> = [
      ['GET', '/claude/status'],
      ['GET', '/claude/v1/models'],
      ['GET', '/claude/v1/models/claude-sonnet-5-5'],
      ['POST', '/claude/v1/messages'],
      ['POST', '/claude/v1/messages/count_tokens']
    ];
    for (const [method, route] of routes) {
      const response = await anonymous.fetch(`${server!.url}${route}`, {
        method,
        data: method === 'POST' ? { model: 'm', max_tokens: 1, messages: [] } : undefined,
        maxRedirects: 0
      });
      expect([401, 403, 302], `${method} ${route}`).toContain(response.status());
    }
    await anonymous.dispose();
  });

  test('refuses a cross-site POST without the XSRF token', async ({ page }) => {
    await openLab(page, server!);
    // Logged in by cookie; a request without X-XSRFToken is what a cross-site form would send.
    const statuses = await page.evaluate(async () => {
      const body = JSON.stringify({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] });
      const bare = await fetch('/claude/v1/messages', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' }
      });
      const xsrf = document.cookie.match(/_xsrf=([^;]+)/)?.[1] ?? '';
      const withToken = await fetch('/claude/v1/messages', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'X-XSRFToken': decodeURIComponent(xsrf) }
      });
      return [bare.status, withToken.status];
    });
    expect(statuses[0]).toBe(403);
    // Past the XSRF check, the proxy answers (here: no key configured).
    expect(statuses[1]).toBe(401);
  });
});

test.describe('a server whose upstream is down', () => {
  let server: IServer | undefined;

  test.beforeAll(async () => {
    server = await startServer(8892, {
      ANTHROPIC_API_KEY: 'sk-ant-test-unused',
      // Nothing listens on the discard port.
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9'
    });
  });

  test.afterAll(() => stopServer(server));

  test('says the Claude API could not be reached, keeping the question', async ({ page }) => {
    await openLab(page, server!);
    await askInPanel(page, 'Is the upstream up?');
    const alert = page.locator('.jp-Claude-turn-assistant').last().getByRole('alert');
    await expect(alert).toHaveAttribute('data-kind', 'upstream', { timeout: 60000 });
    await expect(alert).toContainText('could not reach');
    await expect(page.locator('.jp-Claude-turn-user')).toHaveText(/Is the upstream up\?/);
  });
});
