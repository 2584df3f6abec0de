/*
 * Reading one streamed response: its snapshots as they arrive, a watchdog for a stream gone
 * silent, and what the finished message holds (text, thinking, usage).
 */
import type { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import type { Message } from '@anthropic-ai/sdk/resources/messages';
import type { ITurnUsage } from './tokens';

/**
 * A stream given up on because nothing arrived for the idle time.
 */
export class StreamStalledError extends Error {
  constructor(readonly idleMs: number) {
    super(`Nothing arrived for ${idleMs} ms`);
    this.name = 'StreamStalledError';
  }
}

/**
 * Wait for a stream's final message, showing each snapshot on the way.
 *
 * The SDK's timeout ends when the answer starts; a stream that then goes silent is given up on
 * here, after `idleMs` without a single event, and rejects with `StreamStalledError`.
 */
export async function readStream(
  stream: MessageStream,
  idleMs: number,
  onSnapshot: (snapshot: Message) => void
): Promise<Message> {
  let stalled = false;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const watch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      stalled = true;
      stream.abort();
    }, idleMs);
  };
  watch();
  stream.on('streamEvent', (_event, snapshot) => {
    watch();
    onSnapshot(snapshot);
  });
  try {
    return await stream.finalMessage();
  } catch (error) {
    throw stalled ? new StreamStalledError(idleMs) : error;
  } finally {
    clearTimeout(idle);
  }
}

/**
 * The text and thinking of a message (or of a snapshot of one streaming).
 */
export function textOf(message: Message): { text: string; thinking: string } {
  const texts: string[] = [];
  const thinking: string[] = [];
  for (const block of message.content) {
    if (block.type === 'text') {
      texts.push(block.text);
    } else if (block.type === 'thinking') {
      thinking.push(block.thinking);
    }
  }
  return { text: texts.join('\n\n'), thinking: thinking.join('\n\n') };
}

/**
 * Two steps' text as one, a paragraph apart.
 */
export function joinSteps(a: string, b: string): string {
  return a && b ? `${a}\n\n${b}` : a || b;
}

/**
 * No tokens yet.
 */
export function emptyUsage(): ITurnUsage {
  return { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };
}

/**
 * Add a response's usage to an answer's total (an answer with tools is several responses).
 */
export function addUsage(total: ITurnUsage, usage: Message['usage']): void {
  total.inputTokens += usage.input_tokens;
  total.outputTokens += usage.output_tokens;
  total.cacheCreationInputTokens += usage.cache_creation_input_tokens ?? 0;
  total.cacheReadInputTokens += usage.cache_read_input_tokens ?? 0;
}
