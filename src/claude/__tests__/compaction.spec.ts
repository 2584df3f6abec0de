/**
 * @jest-environment node
 */
// Compacting a long conversation, against the local Messages API server with the real SDK.
import { nullTranslator } from '@jupyterlab/translation';
import { COMPACTION_INSTRUCTION } from '../compaction';
import { Conversation } from '../conversation';
import { createDirectClient } from '../direct';
import { DEFAULT_SETTINGS } from '../settings';
import type { IClaudeSettings } from '../tokens';
import { MOCK_KEY, MockApi } from './mockApi';

const api = MockApi.forTestFile();

function conversation(overrides: Partial<IClaudeSettings> = {}) {
  const settings = { ...DEFAULT_SETTINGS, maxRetries: 0, ...overrides };
  return new Conversation({
    client: createDirectClient(api.url, MOCK_KEY, settings),
    settings: () => settings,
    label: 'analysis.ipynb',
    trans: nullTranslator.load('jupyterlab_claude')
  });
}

function texts(body: any): string {
  return JSON.stringify(body.messages);
}

describe('compaction', () => {
  it('summarises the conversation once it is past the threshold; later requests start from the summary', async () => {
    const c = conversation({ compactAtTokens: 10 });
    await c.send('What does the first cell load?');
    await api.queue('markdown_code'); // the summary
    await api.queue('hello'); // the answer to the next question
    await c.send('And the second?');
    expect(c.turns.map(t => `${t.role}${t.compaction ? ':summary' : ''}:${t.status}`)).toEqual([
      'user:done',
      'assistant:done',
      'assistant:summary:done',
      'user:done',
      'assistant:done'
    ]);
    const summary = c.turns[2];
    expect(summary.text.length).toBeGreaterThan(20);
    const [, compacting, answering] = (await api.requests()).filter(r => r.path === '/v1/messages');
    // The summary request: the conversation before the new question, no tools, the instruction last.
    expect(compacting.body.tools).toBeUndefined();
    expect(texts(compacting.body)).toContain('What does the first cell load?');
    expect(texts(compacting.body)).not.toContain('And the second?');
    const lastMessage = compacting.body.messages[compacting.body.messages.length - 1];
    expect(lastMessage.content[lastMessage.content.length - 1].text).toBe(COMPACTION_INSTRUCTION);
    // The answer's request starts from the summary, without the earlier turns.
    expect(texts(answering.body)).toContain('<conversation_summary>');
    expect(texts(answering.body)).not.toContain('What does the first cell load?');
    expect(texts(answering.body)).toContain('And the second?');
    expect(answering.body.messages[0].role).toBe('user');
    // The transcript keeps every turn.
    expect(c.buildRequest().messages.length).toBeGreaterThan(0);
    expect(c.turns[0].text).toBe('What does the first cell load?');
  });

  it('answers from the whole conversation when the summary fails, losing nothing', async () => {
    const c = conversation({ compactAtTokens: 10 });
    await c.send('First question');
    await api.queue('error_529', { times: 1 });
    await api.queue('hello');
    await c.send('Second question');
    expect(c.turns.map(t => t.role)).toEqual(['user', 'assistant', 'assistant', 'user', 'assistant']);
    // The failed summary stays to say so; the question was answered from everything.
    expect(c.turns[2]).toMatchObject({ compaction: true, status: 'error', text: '' });
    expect(c.turns[4].status).toBe('done');
    const requests = (await api.requests()).filter(r => r.path === '/v1/messages');
    expect(texts(requests[requests.length - 1].body)).toContain('First question');
  });

  it('after a failed summary, waits for the conversation to grow before trying again', async () => {
    const c = conversation({ compactAtTokens: 10 });
    await c.send('First question');
    await api.queue('error_529', { times: 1 });
    await c.send('Second question');
    const sent = async () => (await api.requests()).filter(r => r.path === '/v1/messages').length;
    expect(await sent()).toBe(3);
    // A short question later: no new try, and no second notice.
    await c.send('Third question');
    expect(await sent()).toBe(4);
    expect(c.turns.filter(t => t.compaction)).toHaveLength(1);
    // Once the conversation has grown by a fifth, it is summarised again (once).
    await c.send(`A long question: ${'data '.repeat(2000)}`);
    await c.send('Fifth question');
    expect(c.turns.filter(t => t.compaction).map(t => t.status)[1]).toBe('done');
    expect(c.turns.filter(t => t.compaction && t.status === 'error')).toHaveLength(1);
  });

  it('never compacts with the setting at 0', async () => {
    const c = conversation({ compactAtTokens: 0 });
    await c.send('First question');
    await c.send('Second question');
    expect(c.turns.some(t => t.compaction)).toBe(false);
  });
});
