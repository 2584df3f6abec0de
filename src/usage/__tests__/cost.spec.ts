import type { IChatTurn } from '../../claude/tokens';
import {
  addCounts,
  conversationUsage,
  costOf,
  countedTokens,
  countsOf,
  DEFAULT_PRICES,
  formatTokens,
  formatUSD,
  price,
  priceFor
} from '../cost';

function answer(model: string, input: number, output: number, cacheRead = 0, cacheWrite = 0): IChatTurn {
  return {
    id: `a-${model}-${input}`,
    role: 'assistant',
    text: 'ok',
    thinking: '',
    status: 'done',
    model,
    usage: {
      inputTokens: input,
      outputTokens: output,
      cacheReadInputTokens: cacheRead,
      cacheCreationInputTokens: cacheWrite
    }
  };
}

describe('the price table', () => {
  it('prices cache reads at a tenth and cache writes at 1.25 of input', () => {
    expect(price(3, 15)).toEqual({ input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 });
  });

  it('finds dated and undated ids by their longest prefix', () => {
    expect(priceFor('claude-sonnet-4-5-20250929')).toEqual(DEFAULT_PRICES['claude-sonnet-4-5']);
    expect(priceFor('claude-opus-4-1-20250805')?.input).toBe(15);
    expect(priceFor('claude-opus-4-5-20251101')?.input).toBe(5);
    expect(priceFor('claude-opus-4-20250514')?.input).toBe(15);
    expect(priceFor('claude-opus-4-0')?.input).toBe(15);
    expect(priceFor('claude-haiku-4-5')?.output).toBe(5);
    expect(priceFor('claude-3-5-haiku-20241022')?.input).toBe(0.8);
  });

  it('prices a newer model of a family at the family price, and an unknown model not at all', () => {
    expect(priceFor('claude-sonnet-5-5')).toEqual(price(3, 15));
    expect(priceFor('claude-opus-5-5')).toEqual(price(5, 25));
    expect(priceFor('some-gateway-model')).toBeNull();
    expect(priceFor('claude-opusx')).toBeNull();
  });

  it("puts the administrator's prices first", () => {
    const overrides = { 'claude-sonnet': { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 } };
    expect(priceFor('claude-sonnet-5-5', overrides)?.input).toBe(2);
    // A longer built-in prefix does not beat the administrator's shorter one.
    expect(priceFor('claude-sonnet-4-5-20250929', overrides)?.input).toBe(2);
    expect(priceFor('claude-haiku-4-5', overrides)?.input).toBe(1);
    expect(priceFor('lab-model', { 'lab-model': price(1, 1) })?.output).toBe(1);
  });
});

describe('cost', () => {
  it('adds each kind of token at its price, per million', () => {
    const counts = { input: 1_000_000, output: 100_000, cacheRead: 2_000_000, cacheWrite: 400_000 };
    // 3 + 1.5 + 0.6 + 1.5
    expect(costOf(counts, price(3, 15))).toBeCloseTo(6.6, 10);
  });

  it('counts towards the daily limit as the server does', () => {
    expect(countedTokens({ input: 100, output: 50, cacheRead: 1000, cacheWrite: 10 }, 0.1)).toBe(260);
    expect(countedTokens({ input: 0, output: 0, cacheRead: 5, cacheWrite: 0 }, 0.1)).toBe(1);
  });

  it('adds a conversation up, each answer at its own model, skipping questions', () => {
    const question: IChatTurn = { id: 'q', role: 'user', text: 'hi', thinking: '', status: 'done' };
    const turns = [
      question,
      answer('claude-sonnet-4-5', 1000, 500, 0, 2000),
      question,
      answer('claude-haiku-4-5', 3000, 100, 2000, 0),
      { ...answer('x', 0, 0), usage: undefined }
    ];
    const usage = conversationUsage(turns, m => priceFor(m));
    expect(usage.tokens).toEqual({ input: 4000, output: 600, cacheRead: 2000, cacheWrite: 2000 });
    const sonnet = (1000 * 3 + 500 * 15 + 2000 * 3.75) / 1e6;
    const haiku = (3000 * 1 + 100 * 5 + 2000 * 0.1) / 1e6;
    expect(usage.cost.usd).toBeCloseTo(sonnet + haiku, 12);
    expect(usage.cost.unpriced).toEqual([]);
    expect(usage.last?.tokens).toEqual({ input: 3000, output: 100, cacheRead: 2000, cacheWrite: 0 });
    expect(usage.last?.cost.usd).toBeCloseTo(haiku, 12);
  });

  it('says which models it could not price and leaves them out of the sum', () => {
    const usage = conversationUsage([answer('gateway-llm', 1000, 1000), answer('claude-haiku-4-5', 1e6, 0)], m =>
      priceFor(m)
    );
    expect(usage.cost.unpriced).toEqual(['gateway-llm']);
    expect(usage.cost.usd).toBeCloseTo(1, 12);
  });

  it('has nothing to say for a conversation without answers', () => {
    expect(conversationUsage([], () => null)).toEqual({
      tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      cost: { usd: 0, unpriced: [] },
      last: null
    });
    expect(countsOf(undefined)).toEqual(addCounts());
  });
});

describe('formatting', () => {
  it('writes dollars with cents, and small sums with two significant digits', () => {
    expect(formatUSD(0)).toBe('$0');
    expect(formatUSD(12.345)).toBe('$12.35');
    expect(formatUSD(0.0042)).toBe('$0.0042');
    expect(formatUSD(0.00005)).toBe('$0.00005');
  });

  it('writes token counts short', () => {
    expect(formatTokens(950)).toBe('950');
    expect(formatTokens(1234)).toBe('1.2k');
    expect(formatTokens(12_345)).toBe('12k');
    expect(formatTokens(1000)).toBe('1k');
    expect(formatTokens(4_500_000)).toBe('4.5M');
  });
});
