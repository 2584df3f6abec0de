/**
 * @jest-environment node
 */
// Old tool results cleared by the API where the model supports it, and by the client where it
// does not: against the local Messages API server (which applies context editing from the
// request) with the real SDK.
import { nullTranslator } from '@jupyterlab/translation';
import { CONTEXT_MANAGEMENT_BETA, clearedByServer, contextManagement } from '../contextEditing';
import { CLEARED_TOOL_RESULT, DEFAULT_CLEARING } from '../contextWindow';
import { Conversation } from '../conversation';
import { createDirectClient } from '../direct';
import { DEFAULT_SETTINGS } from '../settings';
import type { IChatTurn, IClaudeSettings } from '../tokens';
import { MOCK_KEY, MockApi } from './mockApi';

const api = MockApi.forTestFile();

/** In mock_api's models.json with `clear_tool_uses_20250919` among its capabilities. */
const CLEARING_MODEL = 'claude-sonnet-4-6';
/** Listed without capabilities, as a gateway or the Jupyter server's own list would. */
const PLAIN_MODEL = 'claude-opus-4-7';

/** A question answered after six tool rounds whose results (~25,000 tokens each) fill the window. */
function history(): IChatTurn[] {
  const exchange: Array<{ role: 'user' | 'assistant'; content: unknown[] }> = [];
  for (let i = 0; i < 6; i++) {
    exchange.push({
      role: 'assistant',
      content: [{ type: 'tool_use', id: `toolu_${i}`, name: 'read_cell', input: {} }]
    });
    exchange.push({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: `cell ${i}: ${'x'.repeat(100_000)}` }]
    });
  }
  exchange.push({ role: 'assistant', content: [{ type: 'text', text: 'Read them all.' }] });
  return [
    { id: 'q', role: 'user', text: 'Read every cell', thinking: '', status: 'done' },
    { id: 'a', role: 'assistant', text: 'Read them all.', thinking: '', status: 'done', exchange } as IChatTurn
  ];
}

function conversation(model: string) {
  const settings: IClaudeSettings = { ...DEFAULT_SETTINGS, model, maxRetries: 0, compactAtTokens: 0 };
  const c = new Conversation({
    client: createDirectClient(api.url, MOCK_KEY, settings),
    settings: () => settings,
    label: 'analysis.ipynb',
    trans: nullTranslator.load('jupyterlab_claude')
  });
  c.restore({ id: 'ce', created: '', turns: history() });
  return c;
}

const sentMessages = async () => (await api.requests()).filter(r => r.path === '/v1/messages');
const clearedIn = (body: any) => JSON.stringify(body.messages).split(CLEARED_TOOL_RESULT).length - 1;

describe('context editing', () => {
  it('asks the API to clear where the model supports it, and does not clear on its own side too', async () => {
    const c = conversation(CLEARING_MODEL);
    await c.send('What did cell 5 hold?');
    await c.send('And cell 4?');
    const [first, second] = await sentMessages();
    for (const request of [first, second]) {
      expect(request.headers['anthropic-beta']).toContain(CONTEXT_MANAGEMENT_BETA);
      expect(request.body.context_management).toEqual(contextManagement(DEFAULT_CLEARING));
      // Every result goes as it was: the API clears them.
      expect(clearedIn(request.body)).toBe(0);
      expect(JSON.stringify(request.body.messages)).toContain('cell 0: xxx');
    }
    // The API's applied_edits say how many went: the chat's note shows it.
    const answers = c.turns.filter(t => t.role === 'assistant');
    expect(answers[answers.length - 1].clearedToolResults).toBe(3);
    expect(answers[answers.length - 1].contextTokens).toBeLessThan(DEFAULT_CLEARING.triggerTokens);
  });

  it('clears on its own side where the model is not known to support it', async () => {
    const c = conversation(PLAIN_MODEL);
    await c.send('What did cell 5 hold?');
    await c.send('And cell 4?');
    const [first, second] = await sentMessages();
    for (const request of [first, second]) {
      expect(request.headers['anthropic-beta']).toBeUndefined();
      expect(request.body.context_management).toBeUndefined();
    }
    // The first request went past the trigger; the second has the oldest three cleared.
    expect(clearedIn(first.body)).toBe(0);
    expect(clearedIn(second.body)).toBe(3);
    expect(c.turns[c.turns.length - 1].clearedToolResults).toBe(3);
  });

  it('goes back to clearing on its own side when the beta is refused on the way (a gateway)', async () => {
    const c = conversation(CLEARING_MODEL);
    const refusal = {
      type: 'error',
      error: { type: 'invalid_request_error', message: 'context_management: Extra inputs are not permitted' }
    };
    await api.queue('hello', { status: 400, body: refusal });
    await c.send('What did cell 5 hold?');
    expect(c.turns[c.turns.length - 1].status).toBe('error');
    await c.retry();
    expect(c.turns[c.turns.length - 1].status).toBe('done');
    const [refused, retried] = await sentMessages();
    expect(refused.body.context_management).toBeDefined();
    expect(retried.headers['anthropic-beta']).toBeUndefined();
    expect(retried.body.context_management).toBeUndefined();
  });

  it('reads what the API cleared, and a response silent about it as the beta not having arrived', () => {
    const applied = { applied_edits: [{ type: 'clear_tool_uses_20250919', cleared_tool_uses: 4 }] };
    expect(clearedByServer({ context_management: applied })).toBe(4);
    expect(clearedByServer({ context_management: { applied_edits: [] } })).toBe(0);
    expect(clearedByServer({ context_management: null })).toBeNull();
    expect(clearedByServer({})).toBeNull();
  });
});
