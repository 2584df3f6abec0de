/*
 * How much of the model's context window a conversation uses, and clearing old tool results as
 * it fills: the client-side form of the API's `clear_tool_uses` context edit (same defaults:
 * triggered past 100,000 input tokens, the 3 most recent tool results kept).
 *
 * Clearing never touches the saved transcript: it is applied to the request as it is built, and
 * it only ever grows (a watermark), so the requests after it share a prefix and stay cacheable.
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
}

export const DEFAULT_CLEARING: IClearingPolicy = { triggerTokens: 100_000, keepToolResults: 3 };

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
 * The tool results of a request, in order.
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
 * results to clear from now on (never fewer than before).
 */
export function nextWatermark(
  current: number,
  tokens: number,
  totalResults: number,
  policy: IClearingPolicy = DEFAULT_CLEARING
): number {
  if (tokens <= policy.triggerTokens) {
    return current;
  }
  return Math.max(current, totalResults - policy.keepToolResults);
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
