/*
 * Compaction: when a conversation has filled most of the context window, Claude summarises it
 * once, and the requests after that start from the summary instead of the earlier turns. The
 * earlier turns stay in the conversation (shown and saved); only what is sent gets shorter.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { ContentBlockParam, MessageParam } from '@anthropic-ai/sdk/resources/messages';
import type { IChatTurn } from './tokens';

/**
 * What Claude is asked to write when the conversation is compacted.
 */
export const COMPACTION_INSTRUCTION =
  'The conversation is about to be compacted to stay within the context window. Write a summary that ' +
  'lets you continue the work without the earlier messages: the scientist’s goal and requests, what ' +
  'was found (numbers, cell ids, variable names, file paths), the hypotheses and their status, which ' +
  'changes to the notebook were accepted or rejected and why, and what remains to do. Use no tools; ' +
  'answer with the summary only.';

/**
 * After a failed compaction, how much the conversation must grow (a share of its size then)
 * before compaction is tried again: not before every later question.
 */
export const COMPACTION_RETRY_GROWTH = 0.2;

/**
 * Whether the next question is compacted first: past the threshold (0: never), and past where
 * a failed compaction said to try again.
 */
export function compactionDue(lastTokens: number, compactAt: number, retryAt: number): boolean {
  return compactAt > 0 && lastTokens > compactAt && lastTokens >= retryAt;
}

/**
 * Where compaction is tried again after one failed with the conversation at `lastTokens`.
 */
export function compactionRetryAt(lastTokens: number): number {
  return Math.ceil(lastTokens * (1 + COMPACTION_RETRY_GROWTH));
}

/**
 * The index of the latest finished compaction turn, or -1.
 */
export function lastCompaction(turns: ReadonlyArray<IChatTurn>): number {
  for (let i = turns.length - 1; i >= 0; i--) {
    if (turns[i].compaction && turns[i].status === 'done' && turns[i].text.trim()) {
      return i;
    }
  }
  return -1;
}

/**
 * The message a compacted conversation starts with.
 */
export function summaryMessage(summary: string): MessageParam {
  return {
    role: 'user',
    content: [
      {
        type: 'text',
        text: `<conversation_summary>\nThe earlier part of this conversation was compacted into this summary (written by you):\n\n${summary}\n</conversation_summary>`
      }
    ]
  };
}

/**
 * The request that asks for the summary: the conversation as it would be sent, without tools,
 * and the instruction as the last user message.
 */
export function compactionRequest(
  params: Anthropic.MessageCreateParamsStreaming
): Anthropic.MessageCreateParamsStreaming {
  const messages = params.messages.map(m => ({ ...m }));
  const instruction: ContentBlockParam = { type: 'text', text: COMPACTION_INSTRUCTION };
  const last = messages[messages.length - 1];
  if (last && last.role === 'user') {
    const content = Array.isArray(last.content) ? [...last.content] : [{ type: 'text' as const, text: last.content }];
    last.content = [...content, instruction];
  } else {
    messages.push({ role: 'user', content: [instruction] });
  }
  const request: Anthropic.MessageCreateParamsStreaming = { ...params, messages };
  delete request.tools;
  delete request.tool_choice;
  return request;
}
