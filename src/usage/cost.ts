/*
 * Usage and cost: adding up tokens, the built-in price table, and estimates from it.
 */
import type { IChatTurn, ITurnUsage } from '../claude/tokens';
import type { ICostEstimate, IPrice, ITokenCounts } from './tokens';

/**
 * Built-in prices (US dollars per million tokens), by model id prefix; a dated id
 * (`claude-sonnet-4-5-20250929`) takes its undated entry's price. Cache writes are priced as
 * 5-minute writes (1.25 × input), cache reads at 0.1 × input. Administrators replace entries
 * with `c.ClaudePolicy.prices`.
 */
export const DEFAULT_PRICES: Readonly<Record<string, IPrice>> = {
  'claude-opus-4-5': price(5, 25),
  'claude-opus-4-1': price(15, 75),
  'claude-opus-4-0': price(15, 75),
  'claude-3-opus': price(15, 75),
  'claude-sonnet-4-5': price(3, 15),
  'claude-sonnet-4-0': price(3, 15),
  'claude-3-5-sonnet': price(3, 15),
  'claude-3-7-sonnet': price(3, 15),
  'claude-haiku-4-5': price(1, 5),
  'claude-3-5-haiku': price(0.8, 4),
  'claude-3-haiku': price(0.25, 1.25),
  // Newer models of a family, until the table names them: the family's latest known price.
  'claude-opus': price(5, 25),
  'claude-sonnet': price(3, 15),
  'claude-haiku': price(1, 5)
};

/**
 * A price from input and output prices, with the API's cache multipliers.
 */
export function price(input: number, output: number): IPrice {
  return { input, output, cacheRead: round(input * 0.1), cacheWrite: round(input * 1.25) };
}

/**
 * The price of a model: the longest matching prefix of the administrator's table, else of the
 * built-in one (an id `claude-opus-4-20250514` matches `claude-opus-4-0` as `claude-opus-4`).
 */
export function priceFor(
  model: string,
  overrides: Readonly<Record<string, IPrice>> = {},
  defaults: Readonly<Record<string, IPrice>> = DEFAULT_PRICES
): IPrice | null {
  return Private.longestPrefix(model, overrides) ?? Private.longestPrefix(model, defaults);
}

/**
 * No tokens.
 */
export function emptyCounts(): ITokenCounts {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
}

/**
 * An answer's usage as the conversation keeps it, in our counts.
 */
export function countsOf(usage: ITurnUsage | undefined): ITokenCounts {
  if (!usage) {
    return emptyCounts();
  }
  return {
    input: usage.inputTokens,
    output: usage.outputTokens,
    cacheRead: usage.cacheReadInputTokens,
    cacheWrite: usage.cacheCreationInputTokens
  };
}

/**
 * The sum of some counts.
 */
export function addCounts(...counts: ITokenCounts[]): ITokenCounts {
  const total = emptyCounts();
  for (const c of counts) {
    total.input += c.input;
    total.output += c.output;
    total.cacheRead += c.cacheRead;
    total.cacheWrite += c.cacheWrite;
  }
  return total;
}

/**
 * Dollars for some tokens at a price.
 */
export function costOf(counts: ITokenCounts, p: IPrice): number {
  return (
    (counts.input * p.input +
      counts.output * p.output +
      counts.cacheRead * p.cacheRead +
      counts.cacheWrite * p.cacheWrite) /
    1e6
  );
}

/**
 * What counts towards a daily limit (the server's rule: cache reads at their weight).
 */
export function countedTokens(counts: ITokenCounts, cacheReadWeight: number): number {
  return counts.input + counts.cacheWrite + counts.output + Math.round(counts.cacheRead * cacheReadWeight);
}

/**
 * Usage and cost of one conversation: each answer at its own model's price.
 */
export interface IConversationUsage {
  tokens: ITokenCounts;
  cost: ICostEstimate;
  /** The last answer with usage, if any. */
  last: { tokens: ITokenCounts; cost: ICostEstimate } | null;
}

/**
 * Add up a conversation's answers.
 *
 * @param turns - the conversation's turns.
 * @param priceOf - a model's price (null: unknown).
 */
export function conversationUsage(
  turns: ReadonlyArray<IChatTurn>,
  priceOf: (model: string) => IPrice | null
): IConversationUsage {
  const tokens = emptyCounts();
  const cost: ICostEstimate = { usd: 0, unpriced: [] };
  let last: IConversationUsage['last'] = null;
  for (const turn of turns) {
    if (turn.role !== 'assistant' || !turn.usage) {
      continue;
    }
    const counts = countsOf(turn.usage);
    const model = turn.model ?? '';
    const p = priceOf(model);
    const own: ICostEstimate = { usd: p ? costOf(counts, p) : 0, unpriced: p ? [] : [model || '?'] };
    Object.assign(tokens, addCounts(tokens, counts));
    cost.usd += own.usd;
    for (const name of own.unpriced) {
      if (!cost.unpriced.includes(name)) {
        cost.unpriced.push(name);
      }
    }
    last = { tokens: counts, cost: own };
  }
  return { tokens, cost, last };
}

/**
 * Dollars as a short string: cents for larger sums, more digits below a cent.
 */
export function formatUSD(usd: number): string {
  if (usd === 0) {
    return '$0';
  }
  if (usd < 0.01) {
    return `$${usd.toPrecision(2).replace(/0+$/, '').replace(/\.$/, '')}`;
  }
  return `$${usd.toFixed(2)}`;
}

/**
 * A token count in a few characters: 950, 12.3k, 4.5M.
 */
export function formatTokens(n: number): string {
  if (n < 1000) {
    return String(n);
  }
  if (n < 1e6) {
    return `${Private.trim((n / 1000).toFixed(n < 10000 ? 1 : 0))}k`;
  }
  return `${Private.trim((n / 1e6).toFixed(1))}M`;
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

namespace Private {
  export function longestPrefix(model: string, table: Readonly<Record<string, IPrice>>): IPrice | null {
    let best: string | null = null;
    for (const key of Object.keys(table)) {
      if (matches(model, key) && (best === null || key.length > best.length)) {
        best = key;
      }
    }
    return best === null ? null : table[best];
  }

  /**
   * `claude-opus-4-0` also stands for `claude-opus-4` and its dated ids (`claude-opus-4-20250514`).
   */
  function matches(model: string, key: string): boolean {
    if (model === key || model.startsWith(`${key}-`)) {
      return true;
    }
    const undated = key.endsWith('-0') ? key.slice(0, -2) : null;
    return (
      !!undated && model.startsWith(undated) && (model === undated || /^-\d{8}$/.test(model.slice(undated.length)))
    );
  }

  export function trim(s: string): string {
    return s.replace(/\.0$/, '');
  }
}
