/*
 * How much of the model's context window a conversation uses, and clearing old tool results as
 * it fills: the client-side form of the API's `clear_tool_uses` context edit (same defaults:
 * triggered past 100,000 input tokens, the 3 most recent tool results kept), used where the API
 * cannot do it (contextEditing.ts decides).
 *
 * Clearing never touches the saved transcript: it is applied to the request as it is built, and
 * it only ever grows (a watermark), so the requests after it share a prefix and stay cacheable.
 * Like the API's `clear_at_least`, the watermark moves only when it would clear enough at once:
 * moving it by one result a round would change the prompt (a cache miss) every round.
 */
import type { ContentBlockParam, MessageParam, ToolResultBlockParam } from '@anthropic-ai/sdk/resources/messages';

/**
 * The context window assumed for a model (the API's standard window for current models).
 */
export const DEFAULT_CONTEXT_WINDOW = 200_000;

/**
 * When to clear old tool results, and how many recent ones to keep.
 */
export interface IClearingPolicy {
  /** Clear once a request's input (cache reads and writes included) passes this many tokens. */
  triggerTokens: number;
  /** The most recent tool results kept as they were. */
  keepToolResults: number;
  /** Clear only when at least this many tokens (estimated) would go at once. */
  clearAtLeastTokens: number;
}

export const DEFAULT_CLEARING: IClearingPolicy = {
  triggerTokens: 100_000,
  keepToolResults: 3,
  clearAtLeastTokens: 20_000
};

/**
 * What stands in for a cleared tool result (Claude may call the tool again).
 */
export const CLEARED_TOOL_RESULT =
  '[This tool result was cleared to keep the conversation within the context window. Call the tool again if you need it.]';

/**
 * The input tokens of one request: what it occupies of the context window.
 */
export function requestTokens(usage: {
  input_tokens: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}): number {
  return usage.input_tokens + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);
}

/**
 * How many tool results a request carries.
 */
export function countToolResults(messages: ReadonlyArray<MessageParam>): number {
  let count = 0;
  for (const message of messages) {
    if (Array.isArray(message.content)) {
      count += message.content.filter(block => block.type === 'tool_result').length;
    }
  }
  return count;
}

/**
 * The new watermark after a request of `tokens` input tokens: how many of the oldest tool
 * results to clear from now on. It never moves back, and moves only past the trigger and when
 * the results it would newly clear come to `clearAtLeastTokens`.
 */
export function nextWatermark(
  current: number,
  tokens: number,
  messages: ReadonlyArray<MessageParam>,
  policy: IClearingPolicy = DEFAULT_CLEARING
): number {
  if (tokens <= policy.triggerTokens) {
    return current;
  }
  const sizes = Private.resultTokens(messages);
  const next = Math.max(current, sizes.length - policy.keepToolResults);
  const freed = sizes.slice(current, next).reduce((sum, size) => sum + size, 0);
  return freed >= policy.clearAtLeastTokens ? next : current;
}

/**
 * The messages with the oldest `count` tool results replaced by a short note (a copy; the
 * tool_use ids stay, so the request stays valid).
 */
export function clearToolResults(messages: ReadonlyArray<MessageParam>, count: number): MessageParam[] {
  let left = count;
  return messages.map(message => {
    if (left <= 0 || !Array.isArray(message.content)) {
      return message;
    }
    const content = (message.content as ContentBlockParam[]).map(block => {
      if (block.type !== 'tool_result' || left <= 0) {
        return block;
      }
      left--;
      const cleared: ToolResultBlockParam = {
        type: 'tool_result',
        tool_use_id: block.tool_use_id,
        content: CLEARED_TOOL_RESULT
      };
      if (block.is_error) {
        cleared.is_error = true;
      }
      if (block.cache_control) {
        cleared.cache_control = block.cache_control;
      }
      return cleared;
    });
    return { ...message, content } as MessageParam;
  });
}

namespace Private {
  /** The estimated tokens of each tool result, in order (about four characters a token). */
  export function resultTokens(messages: ReadonlyArray<MessageParam>): number[] {
    const sizes: number[] = [];
    for (const message of messages) {
      if (Array.isArray(message.content)) {
        for (const block of message.content) {
          if (block.type === 'tool_result') {
            sizes.push(Math.ceil(JSON.stringify(block.content ?? '').length / 4));
          }
        }
      }
    }
    return sizes;
  }
}
