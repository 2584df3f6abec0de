/*
 * Odd text: a notebook full of emoji (cut by every truncation on the way to Claude) still
 * gets its answer, its chat saves and comes back after a reload, and nothing sent to the
 * Messages API or saved holds half a character.
 */
import type { APIRequestContext } from '@playwright/test';
import { expect, test } from '@jupyterlab/galata';
import {
  ask,
  claudePanel,
  lastAnswer,
  notebookJSON,
  openPanel,
  queueFixture,
  recordedRequests,
  reloadWith,
  resetMock
} from './helpers';

test.use({ autoGoto: true });

const EMOJI = '😀';
const FAMILY = '👨‍👩‍👧‍👦';
// Half a surrogate pair, not followed (or preceded) by its other half.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function notebook(): string {
  const cell = (source: string, outputs: unknown[] = []) => ({
    source,
    outputs,
    execution_count: outputs.length ? 1 : null
  });
  return notebookJSON([
    // One line longer than the outline keeps, so its cut lands inside the emoji.
    cell(`'${EMOJI.repeat(100)}'`),
    cell(`'${FAMILY.repeat(40)}'`),
    // Long enough that the source and its output are elided mid-text.
    cell(`s = '${EMOJI.repeat(40000)}'\nprint(s)`, [
      { output_type: 'stream', name: 'stdout', text: `${EMOJI.repeat(60001)}x\n` }
    ])
  ]);
}

/** Every string in a JSON value (keys too). */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    out.push(value);
  } else if (Array.isArray(value)) {
    value.forEach(v => strings(v, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out);
    }
  }
  return out;
}

function broken(value: unknown): string[] {
  return strings(value).filter(s => LONE_SURROGATE.test(s) || s.includes('\ufffd'));
}

async function saved(request: APIRequestContext, path: string): Promise<any[]> {
  const response = await request.get(`/claude/conversations?notebook=${encodeURIComponent(path)}`);
  expect(response.ok(), await response.text()).toBeTruthy();
  return (await response.json()).conversations;
}

test.beforeEach(async ({ request }) => {
  await resetMock(request);
});

test('a notebook of emoji: the answer arrives, the chat saves whole and survives a reload', async ({
  page,
  request,
  tmpPath
}) => {
  const path = `${tmpPath}/emoji.ipynb`;
  await page.contents.uploadContent(notebook(), 'text', path);
  expect(await page.notebook.openByPath(path)).toBe(true);
  await openPanel(page);
  const question = `What is in these cells ${EMOJI}${FAMILY}🇫🇷 é?`;

  await queueFixture(request, 'markdown_code');
  await ask(page, question);
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');

  // What Claude was sent: the emoji cells are in it, and no half of any character.
  const messages = (await recordedRequests(request)).filter(r => r.path === '/v1/messages');
  expect(messages.length).toBeGreaterThan(0);
  const sent = JSON.stringify(messages[0].body);
  expect(sent).toContain(EMOJI.repeat(20));
  expect(sent).toContain(FAMILY.repeat(5));
  expect(broken(messages.map(m => m.body))).toEqual([]);

  // The chat is saved (a lone surrogate made every save fail with a 500).
  await expect.poll(async () => (await saved(request, path)).map(c => c.turns)).toEqual([2]);
  await expect(claudePanel(page)).toHaveAttribute('data-save-state', 'saved');
  const [summary] = await saved(request, path);
  const response = await request.get(`/claude/conversations/${summary.id}?notebook=${encodeURIComponent(path)}`);
  expect(response.ok()).toBeTruthy();
  const conversation = await response.json();
  expect(conversation.warnings).toBeUndefined();
  expect(broken(conversation)).toEqual([]);
  expect(conversation.turns[0].text).toBe(question);
  expect(JSON.stringify(conversation.turns[0].context)).toContain(EMOJI.repeat(20));

  await reloadWith(page, path);
  const panel = claudePanel(page);
  await expect(panel.locator('.jp-Claude-turn')).toHaveCount(2);
  await expect(panel.locator('.jp-Claude-question')).toHaveText(question);
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'done');
});
