/**
 * Clearing old tool results as the context window fills: the watermark only grows, the most
 * recent results stay, the request stays valid (every tool_use keeps its result), and the
 * transcript the conversation keeps is never changed.
 */
import type { IChatTurn } from '../tokens';
import {
  CLEARED_TOOL_RESULT,
  clearToolResults,
  countToolResults,
  DEFAULT_CLEARING,
  nextWatermark,
  requestTokens
} from '../contextWindow';
import { buildRequest, toMessageParams } from '../request';
import { DEFAULT_SETTINGS } from '../settings';

/** A question and an answer that called `read_cell` `rounds` times. */
function turns(rounds: number): IChatTurn[] {
  const exchange: Array<{ role: 'user' | 'assistant'; content: unknown[] }> = [];
  for (let i = 0; i < rounds; i++) {
    exchange.push({
      role: 'assistant',
      content: [{ type: 'tool_use', id: `toolu_${i}`, name: 'read_cell', input: { cell_id: `c${i}` } }]
    });
    exchange.push({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: `cell ${i}: ${'x'.repeat(50)}` }]
    });
  }
  exchange.push({ role: 'assistant', content: [{ type: 'text', text: 'Done.' }] });
  return [
    { id: 'q', role: 'user', text: 'Read every cell', thinking: '', status: 'done' },
    { id: 'a', role: 'assistant', text: 'Done.', thinking: '', status: 'done', exchange }
  ];
}

describe('the context window', () => {
  it("counts a request's input with its cache reads and writes", () => {
    expect(requestTokens({ input_tokens: 10, cache_read_input_tokens: 90_000, cache_creation_input_tokens: 500 })).toBe(
      90_510
    );
    expect(requestTokens({ input_tokens: 7 })).toBe(7);
  });

  it('moves the watermark only past the trigger, keeps the most recent results, and never moves it back', () => {
    const policy = { ...DEFAULT_CLEARING, clearAtLeastTokens: 0 };
    const messages = (n: number) => toMessageParams(turns(n));
    expect(nextWatermark(0, policy.triggerTokens, messages(10), policy)).toBe(0);
    expect(nextWatermark(0, policy.triggerTokens + 1, messages(10), policy)).toBe(7);
    expect(nextWatermark(7, 50_000, messages(12), policy)).toBe(7);
    expect(nextWatermark(7, 150_000, messages(8), policy)).toBe(7);
    expect(nextWatermark(0, 150_000, messages(2), policy)).toBe(0);
  });

  it('moves the watermark in batches of at least clearAtLeastTokens, so the prefix stays put in between', () => {
    // Each result of `turns` is about 16 tokens: a batch of 40 tokens is three results.
    const policy = { ...DEFAULT_CLEARING, clearAtLeastTokens: 40 };
    const marks: number[] = [];
    let mark = 0;
    for (let n = 4; n <= 12; n++) {
      mark = nextWatermark(mark, 150_000, toMessageParams(turns(n)), policy);
      marks.push(mark);
    }
    // One result more each round; the watermark moves every third round, not every round.
    expect(marks).toEqual([0, 0, 3, 3, 3, 6, 6, 6, 9]);
  });

  it('clears the oldest results in a copy: ids, errors and breakpoints stay, the transcript is untouched', () => {
    const history = turns(5);
    const messages = toMessageParams(history);
    expect(countToolResults(messages)).toBe(5);
    const cleared = clearToolResults(messages, 2);
    const results = cleared
      .flatMap(m => (Array.isArray(m.content) ? m.content : []))
      .filter(b => b.type === 'tool_result');
    expect(results.map(r => (r as { content: string }).content.slice(0, 6))).toEqual([
      CLEARED_TOOL_RESULT.slice(0, 6),
      CLEARED_TOOL_RESULT.slice(0, 6),
      'cell 2',
      'cell 3',
      'cell 4'
    ]);
    expect(results.map(r => (r as { tool_use_id: string }).tool_use_id)).toEqual([
      'toolu_0',
      'toolu_1',
      'toolu_2',
      'toolu_3',
      'toolu_4'
    ]);
    expect(JSON.stringify(history)).toContain('cell 0: xxx');
    expect(JSON.stringify(toMessageParams(history))).toBe(JSON.stringify(messages));
  });

  it('builds the request with the cleared results, and two requests at the same watermark share their prefix', () => {
    const history = turns(6);
    const source = { settings: DEFAULT_SETTINGS, label: 'a.ipynb', tools: [], turns: history, clearedToolResults: 3 };
    const first = buildRequest(source);
    const text = JSON.stringify(first.messages);
    expect(text).not.toContain('cell 0: x');
    expect(text).not.toContain('cell 2: x');
    expect(text).toContain('cell 3: x');
    expect(text.split(CLEARED_TOOL_RESULT).length - 1).toBe(3);
    expect(JSON.stringify(buildRequest(source).messages)).toBe(text);
    expect(JSON.stringify(buildRequest({ ...source, clearedToolResults: 0 }).messages)).toContain('cell 0: x');
  });
});
