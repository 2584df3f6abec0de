/*
 * What a conversation sends: the Messages API request for its turns, with the cache breakpoints.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type {
  ContentBlock,
  ContentBlockParam,
  MessageParam,
  TextBlockParam,
  Tool
} from '@anthropic-ai/sdk/resources/messages';
import type { IToolDefinition } from '../agent/tokens';
import { lastCompaction, summaryMessage } from './compaction';
import { clearToolResults } from './contextWindow';
import { wellFormedDeep } from '../unicode';
import type { IChatTurn, IClaudeSettings } from './tokens';
import { systemPrompt } from './prompts';
import { commandTexts } from './slash';

/**
 * What a request is built from.
 */
export interface IRequestSource {
  /** The settings in force. */
  settings: IClaudeSettings;
  /** The notebook's name ('' for none). */
  label: string;
  /** The turns so far (the answer being written included, with its earlier steps). */
  turns: ReadonlyArray<IChatTurn>;
  /** The tools Claude may call. */
  tools: IToolDefinition[];
  /** More of the system prompt, after the instructions (the skills listing); '' parts are left out. */
  system?: string[];
  /** How many of the oldest tool results are cleared to keep within the context window. */
  clearedToolResults?: number;
}

/**
 * The streaming request for a conversation's turns.
 */
export function buildRequest(source: IRequestSource): Anthropic.MessageCreateParamsStreaming {
  const { settings, turns, tools } = source;
  // Cache breakpoints (at most four): the tools, the end of the system prompt, the end of the
  // request before this one (the previous user message) and the end of the conversation, so
  // each request reads everything the one before it sent, however many blocks a round adds.
  const system: TextBlockParam[] = [
    { type: 'text', text: systemPrompt(source.label || null, settings.customInstructions) }
  ];
  // The outline as the conversation's first question saw it stays in the system prompt for
  // the whole conversation; a later question whose outline differs carries its own.
  for (const text of source.system ?? []) {
    if (text.trim()) {
      system.push({ type: 'text', text });
    }
  }
  // The project's rules (AGENTS.md, CLAUDE.md) as the latest question was sent with them.
  const rules = [...turns].reverse().find(t => t.role === 'user' && t.context)?.context?.rulesText;
  if (rules) {
    system.push({ type: 'text', text: rules });
  }
  const outline = conversationOutline(turns);
  if (outline) {
    system.push({ type: 'text', text: outline });
  }
  system[system.length - 1].cache_control = { type: 'ephemeral' };
  const messages = clearToolResults(toMessageParams(turns), source.clearedToolResults ?? 0);
  const users = messages.filter(m => m.role === 'user');
  for (const message of users.slice(-2)) {
    const blocks = message.content as ContentBlockParam[];
    if (blocks.length) {
      blocks[blocks.length - 1] = {
        ...blocks[blocks.length - 1],
        cache_control: { type: 'ephemeral' }
      } as ContentBlockParam;
    }
  }
  const last = messages[messages.length - 1];
  if (last && last.role !== 'user' && Array.isArray(last.content) && last.content.length) {
    const blocks = last.content as ContentBlockParam[];
    blocks[blocks.length - 1] = {
      ...blocks[blocks.length - 1],
      cache_control: { type: 'ephemeral' }
    } as ContentBlockParam;
  }
  const params: Anthropic.MessageCreateParamsStreaming = {
    model: settings.model,
    max_tokens: settings.maxTokens,
    system,
    messages,
    stream: true
  };
  if (tools.length) {
    // The tool definitions come first in the prompt: cache them with the system prompt.
    params.tools = tools.map((tool, i) =>
      i === tools.length - 1 ? { ...tool, cache_control: { type: 'ephemeral' } } : { ...tool }
    ) as Tool[];
  }
  if (settings.thinking !== 'default') {
    params.thinking = { type: settings.thinking };
  }
  if (settings.effort !== 'default') {
    params.output_config = { effort: settings.effort };
  }
  // Whatever cut text on the way (a kernel, a tool, a pasted half emoji), the API gets Unicode.
  return wellFormedDeep(params);
}

/**
 * The Messages API `messages` for a list of turns.
 *
 * Every message is a list of content blocks, so a message reads the same whether or not it
 * carries a cache breakpoint. A question sent with notebook context carries that context (and
 * its plots) before the question itself, exactly as it was first sent. Answers that failed
 * before any text are left out, and questions that follow each other are joined, so the roles
 * alternate as the API expects.
 */
export function toMessageParams(turns: ReadonlyArray<IChatTurn>): MessageParam[] {
  const messages: MessageParam[] = [];
  const outline = conversationOutline(turns);
  // A compacted conversation starts from its latest summary.
  const compacted = lastCompaction(turns);
  if (compacted >= 0) {
    messages.push(summaryMessage(turns[compacted].text));
  }
  for (const turn of turns.slice(compacted + 1)) {
    if (turn.compaction) {
      continue;
    }
    if (turn.role === 'assistant' && !turn.exchange?.length && (turn.status === 'streaming' || !turn.text.trim())) {
      continue;
    }
    const parts: Array<{ role: 'user' | 'assistant'; content: ContentBlockParam[] }> =
      turn.role === 'user'
        ? [{ role: 'user', content: Private.questionBlocks(turn, outline) }]
        : turn.exchange?.length
          ? turn.exchange.map(m => ({ role: m.role, content: [...(m.content as ContentBlockParam[])] }))
          : [{ role: 'assistant', content: Private.answerBlocks(turn) }];
    for (const part of parts) {
      const last = messages[messages.length - 1];
      if (last && last.role === part.role) {
        (last.content as ContentBlockParam[]).push(...part.content);
      } else {
        messages.push(part);
      }
    }
  }
  // The conversation must start with the user.
  while (messages.length && messages[0].role !== 'user') {
    messages.shift();
  }
  return messages;
}

/**
 * The notebook outline of a conversation's system prompt: the first question's (`''`: none).
 */
export function conversationOutline(turns: ReadonlyArray<IChatTurn>): string {
  return turns.find(t => t.role === 'user' && t.context?.stableText)?.context?.stableText ?? '';
}

/**
 * A response's content as request content, to send back as it was (thinking with its
 * signature, tool calls with their ids).
 */
export function toContentParams(content: ContentBlock[]): ContentBlockParam[] {
  const params: ContentBlockParam[] = [];
  for (const block of content) {
    switch (block.type) {
      case 'text':
        if (block.text) {
          params.push({ type: 'text', text: block.text });
        }
        break;
      case 'thinking':
        params.push({ type: 'thinking', thinking: block.thinking, signature: block.signature });
        break;
      case 'redacted_thinking':
        params.push({ type: 'redacted_thinking', data: block.data });
        break;
      case 'tool_use':
        params.push({ type: 'tool_use', id: block.id, name: block.name, input: block.input });
        break;
    }
  }
  return params;
}

namespace Private {
  export function questionBlocks(turn: IChatTurn, outline: string): ContentBlockParam[] {
    const blocks: ContentBlockParam[] = [];
    const context = turn.context;
    if (context?.stableText && context.stableText !== outline) {
      // The notebook changed since the outline in the system prompt: this question's own.
      blocks.push({ type: 'text', text: `<notebook_outline_now>\n${context.stableText}\n</notebook_outline_now>` });
    }
    if (context?.volatileText) {
      blocks.push({
        type: 'text',
        text: `<notebook_context>\n${context.volatileText}\n</notebook_context>`
      });
    }
    for (const image of context?.images ?? []) {
      blocks.push({ type: 'text', text: `Plot: ${image.title}` });
      blocks.push({
        type: 'image',
        source: { type: 'base64', media_type: image.mediaType, data: image.base64 }
      });
    }
    for (const text of turn.command ? commandTexts(turn.command) : []) {
      blocks.push({ type: 'text', text });
    }
    blocks.push({ type: 'text', text: turn.text });
    return blocks;
  }

  export function answerBlocks(turn: IChatTurn): ContentBlockParam[] {
    // An assistant message may not end with whitespace.
    return [{ type: 'text', text: turn.text.trimEnd() }];
  }
}
