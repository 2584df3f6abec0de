/*
 * One conversation with Claude: its turns, the streaming answer, Stop, Retry.
 *
 * The conversation owns its stream: an answer updates only the conversation that asked,
 * so an answer for one notebook can never land in another.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import { APIUserAbortError } from '@anthropic-ai/sdk';
import type {
  ContentBlock,
  ContentBlockParam,
  Message,
  MessageParam,
  TextBlockParam,
  Tool,
  ToolResultBlockParam,
  ToolUseBlock
} from '@anthropic-ai/sdk/resources/messages';
import { nullTranslator, type TranslationBundle } from '@jupyterlab/translation';
import { UUID } from '@lumino/coreutils';
import { Signal } from '@lumino/signaling';
import type {
  IChatTurn,
  IClaudeSettings,
  IClaudeTools,
  IConversation,
  ISentContext,
  IToolCall,
  IToolResult
} from '../tokens';
import { TRANSLATION_DOMAIN } from '../translation';

/**
 * The most rounds of tool calls for one question.
 */
export const MAX_TOOL_ROUNDS = 8;
import { describeError, isUserAbort } from './errors';
import { systemPrompt } from './prompts';
import { cutText, wellFormedDeep } from '../unicode';

/**
 * The part of the SDK the conversation needs.
 */
export type IStreamingClient = Pick<Anthropic, 'messages'>;

/**
 * A conversation with Claude.
 */
export class Conversation implements IConversation {
  constructor(options: Conversation.IOptions) {
    this._client = options.client;
    this._getSettings = options.settings;
    this._label = options.label ?? '';
    this._contextSource = options.context ?? null;
    this._tools = options.tools ?? null;
    this._trans = options.trans ?? nullTranslator.load(TRANSLATION_DOMAIN);
    this._id = options.id ?? newConversationId();
  }

  /**
   * The id of this conversation (its saved file's name); `clear()` starts a new one.
   */
  get id(): string {
    return this._id;
  }

  /**
   * When the conversation began (ISO time).
   */
  get created(): string {
    return this._created;
  }

  /**
   * Answers replaced by Retry: a saved copy must not bring them back.
   */
  get removedTurnIds(): ReadonlyArray<string> {
    return this._removed;
  }

  get turns(): ReadonlyArray<IChatTurn> {
    return this._turns;
  }

  get isBusy(): boolean {
    return this._answering || this._preparing;
  }

  get label(): string {
    return this._label;
  }
  set label(value: string) {
    this._label = value;
  }

  get changed(): Signal<this, IChatTurn | null> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Swap the client (e.g. after the settings changed).
   */
  setClient(client: IStreamingClient): void {
    this._client = client;
  }

  /**
   * Set where the notebook context of each question comes from (`null`: none).
   */
  setContextSource(source: (() => Promise<ISentContext | null>) | null): void {
    this._contextSource = source;
  }

  /**
   * Set the tools Claude may call while answering (`null`: none).
   */
  setTools(tools: IClaudeTools | null): void {
    this._tools = tools;
  }

  /**
   * Hold questions until `ready` settles (the saved conversation is being loaded).
   */
  waitFor(ready: Promise<unknown>): void {
    const gate = ready.then(
      () => undefined,
      () => undefined
    );
    this._loading = gate;
    void gate.then(() => {
      if (this._loading === gate) {
        this._loading = null;
      }
    });
  }

  /**
   * Show a saved conversation in place of this one (nothing happens while answering).
   */
  restore(saved: Conversation.ISaved): boolean {
    if (this.isBusy || this._isDisposed) {
      return false;
    }
    this._id = saved.id;
    this._created = saved.created || new Date().toISOString();
    this._turns = saved.turns.map(turn => ({ ...turn }));
    this._removed = [...(saved.removedTurnIds ?? [])];
    this._changed.emit(null);
    return true;
  }

  /**
   * Take another id while nothing has been said yet (to join a conversation by its id).
   */
  adoptId(id: string): void {
    if (!this._turns.length) {
      this._id = id;
    }
  }

  async send(text: string): Promise<void> {
    if (this._loading) {
      await this._loading;
    }
    const question = text.trim();
    if (!question || this.isBusy || this._isDisposed) {
      return;
    }
    const turn: IChatTurn = {
      id: UUID.uuid4(),
      role: 'user',
      created: new Date().toISOString(),
      text: question,
      thinking: '',
      status: 'done'
    };
    this._turns.push(turn);
    this._changed.emit(turn);
    if (this._contextSource) {
      this._preparing = true;
      this._stopping = false;
      try {
        turn.context = (await this._contextSource()) ?? undefined;
      } catch (error) {
        // The question still goes, without the notebook; the panel says why.
        console.warn('jupyterlab-claude: could not gather the notebook context', error);
      } finally {
        this._preparing = false;
      }
      if (this._isDisposed) {
        return;
      }
      this._changed.emit(turn);
      if (this._stopping) {
        this._stopping = false;
        this._pushStopped();
        return;
      }
    }
    await this._answer();
  }

  async retry(): Promise<void> {
    if (this.isBusy || this._isDisposed) {
      return;
    }
    const last = this._turns[this._turns.length - 1];
    if (!last || last.role !== 'assistant' || last.status === 'done' || last.status === 'streaming') {
      return;
    }
    // The failed answer is replaced by a new one to the same question.
    this._removed.push(last.id);
    this._turns.pop();
    this._changed.emit(null);
    await this._answer();
  }

  stop(): void {
    if (this._stream) {
      this._stopping = true;
      this._stream.abort();
    } else if (this._preparing || this._answering) {
      // Between steps (gathering context, tools, proposals waiting for review): stop before
      // the next request, settling what waits.
      this._stopping = true;
      this._tools?.cancelPending?.();
    }
  }

  clear(): void {
    this.stop();
    this._turns = [];
    this._removed = [];
    // A new chat is a new conversation: the one before stays saved under its own id.
    this._id = newConversationId();
    this._created = new Date().toISOString();
    this._changed.emit(null);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this.stop();
    this._isDisposed = true;
    Signal.clearData(this);
  }

  /**
   * The request this conversation would send now.
   */
  buildRequest(): Anthropic.MessageCreateParamsStreaming {
    const settings = this._getSettings();
    // Cache breakpoints: the end of the system prompt (with the stable notebook outline) and
    // the end of the conversation, so a follow-up reads both from the cache.
    const system: TextBlockParam[] = [
      { type: 'text', text: systemPrompt(this._label || null, settings.customInstructions) }
    ];
    const latest = [...this._turns].reverse().find(t => t.role === 'user' && t.context);
    if (latest?.context?.stableText) {
      system.push({ type: 'text', text: latest.context.stableText });
    }
    system[system.length - 1].cache_control = { type: 'ephemeral' };
    const messages = toMessageParams(this._turns);
    const last = messages[messages.length - 1];
    if (last && Array.isArray(last.content) && last.content.length) {
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
    const tools = this._tools?.definitions() ?? [];
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

  private _pushStopped(): void {
    const turn: IChatTurn = {
      id: UUID.uuid4(),
      role: 'assistant',
      created: new Date().toISOString(),
      text: '',
      thinking: '',
      status: 'stopped'
    };
    this._turns.push(turn);
    this._changed.emit(turn);
  }

  private async _answer(): Promise<void> {
    const turn: IChatTurn = {
      id: UUID.uuid4(),
      role: 'assistant',
      created: new Date().toISOString(),
      text: '',
      thinking: '',
      status: 'streaming',
      model: this._getSettings().model
    };
    this._turns.push(turn);
    this._answering = true;
    this._changed.emit(turn);
    this._stopping = false;
    let stalled = false;
    // Text and thinking of the steps before the one streaming (steps are split by tool calls).
    let before = { text: '', thinking: '' };
    let step = { text: '', thinking: '' };
    const usage = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };
    const show = () => {
      turn.text = Private.join(before.text, step.text);
      turn.thinking = Private.join(before.thinking, step.thinking);
      this._changed.emit(turn);
    };
    try {
      for (let round = 0; ; round++) {
        // The request includes this turn's own earlier steps (its `exchange`).
        const stream = this._client.messages.stream(this.buildRequest());
        this._stream = stream;
        // The SDK's timeout ends when the answer starts; a stream that then goes silent is
        // given up on here, after the same time without a single event.
        const idleMs = this._getSettings().timeoutSeconds * 1000;
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
          step = Private.textOf(snapshot);
          turn.model = snapshot.model || turn.model;
          show();
        });
        let message: Message;
        try {
          message = await stream.finalMessage();
        } finally {
          clearTimeout(idle);
          turn.requestId = stream.request_id ?? turn.requestId;
        }
        step = Private.textOf(message);
        show();
        turn.stopReason = message.stop_reason;
        usage.inputTokens += message.usage.input_tokens;
        usage.outputTokens += message.usage.output_tokens;
        usage.cacheCreationInputTokens += message.usage.cache_creation_input_tokens ?? 0;
        usage.cacheReadInputTokens += message.usage.cache_read_input_tokens ?? 0;
        turn.usage = { ...usage };
        const calls = message.content.filter(block => block.type === 'tool_use');
        if (message.stop_reason !== 'tool_use' || !calls.length) {
          if (turn.exchange) {
            turn.exchange.push({ role: 'assistant', content: Private.toParams(message.content) });
          }
          break;
        }
        turn.exchange = turn.exchange ?? [];
        turn.exchange.push({ role: 'assistant', content: Private.toParams(message.content) });
        this._stream = null;
        const results = await this._runTools(turn, calls as ToolUseBlock[], round);
        turn.exchange.push({ role: 'user', content: results });
        before = { text: turn.text, thinking: turn.thinking };
        step = { text: '', thinking: '' };
        if (this._stopping || this._isDisposed) {
          throw new APIUserAbortError();
        }
        if (round > MAX_TOOL_ROUNDS) {
          // Claude was told the limit and kept calling: end the answer here.
          turn.stopReason = 'tool_limit';
          break;
        }
      }
      turn.status = 'done';
    } catch (error) {
      if (stalled) {
        const midStream = turn.text.length > 0 || turn.thinking.length > 0;
        turn.status = midStream ? 'cut' : 'error';
        turn.error = {
          kind: 'timeout',
          title: this._trans.__('Claude stopped sending (nothing for %1 s)', this._getSettings().timeoutSeconds),
          detail: midStream
            ? this._trans.__('What arrived is kept above. Press Retry to ask again.')
            : this._trans.__('Press Retry to ask again, or raise the timeout in Settings › Claude.')
        };
      } else if (this._stopping || isUserAbort(error)) {
        turn.status = 'stopped';
      } else {
        const midStream = turn.text.length > 0 || turn.thinking.length > 0;
        turn.status = midStream ? 'cut' : 'error';
        turn.error = describeError(error, this._trans, midStream);
        turn.requestId = turn.requestId ?? turn.error.requestId;
      }
      if (turn.exchange && step.text.trim()) {
        // What arrived of the last step is kept as text; its half-streamed tool calls are not.
        turn.exchange.push({ role: 'assistant', content: [{ type: 'text', text: step.text.trimEnd() }] });
      }
    } finally {
      this._stream = null;
      this._answering = false;
      this._stopping = false;
      if (!this._isDisposed) {
        this._changed.emit(turn);
      }
    }
  }

  /**
   * Answer Claude's tool calls. Every tool here reads; none changes the notebook or the kernel.
   */
  private async _runTools(
    turn: IChatTurn,
    calls: ToolUseBlock[],
    round: number
  ): Promise<ToolResultBlockParam[]> {
    turn.toolCalls = turn.toolCalls ?? [];
    // All calls of one message at once: proposals made together are reviewed together.
    const results = calls.map(async (call): Promise<ToolResultBlockParam> => {
      const shown: IToolCall = {
        id: call.id,
        name: call.name,
        input: call.input,
        summary: this._tools ? this._tools.describe(call.name, call.input) : call.name,
        status: 'running'
      };
      turn.toolCalls!.push(shown);
      this._changed.emit(turn);
      let result: IToolResult;
      if (!this._tools) {
        result = { content: `There is no tool named ${call.name} here.`, isError: true };
      } else if (round >= MAX_TOOL_ROUNDS) {
        result = {
          content: `Tool limit reached (${MAX_TOOL_ROUNDS} rounds for one question). Answer with what you have.`,
          isError: true
        };
      } else {
        try {
          result = await this._tools.run(call.name, call.input, {
            toolUseId: call.id,
            model: turn.model ?? this._getSettings().model,
            requestId: turn.requestId ?? null
          });
        } catch (error) {
          result = { content: `The tool failed: ${error instanceof Error ? error.message : error}`, isError: true };
        }
      }
      shown.status = result.isError ? 'error' : 'done';
      shown.preview = cutText(result.content, 400);
      this._changed.emit(turn);
      return {
        type: 'tool_result',
        tool_use_id: call.id,
        content: result.content,
        ...(result.isError ? { is_error: true } : {})
      };
    });
    return Promise.all(results);
  }

  private _id: string;
  private _created = new Date().toISOString();
  private _removed: string[] = [];
  private _loading: Promise<void> | null = null;
  private _client: IStreamingClient;
  private _getSettings: () => IClaudeSettings;
  private _label: string;
  private _trans: TranslationBundle;
  private _turns: IChatTurn[] = [];
  private _stream: MessageStream | null = null;
  private _stopping = false;
  private _preparing = false;
  private _answering = false;
  private _contextSource: (() => Promise<ISentContext | null>) | null;
  private _tools: IClaudeTools | null;
  private _isDisposed = false;
  private _changed = new Signal<this, IChatTurn | null>(this);
}

/**
 * The namespace for `Conversation` statics.
 */
export namespace Conversation {
  /**
   * A conversation as saved: enough to show it again and to continue it exactly.
   */
  export interface ISaved {
    id: string;
    created: string;
    turns: IChatTurn[];
    removedTurnIds?: string[];
  }

  export interface IOptions {
    /** The conversation's id (a new one if not given). */
    id?: string;
    /** The SDK client. */
    client: IStreamingClient;
    /** The settings in force, read at each request. */
    settings: () => IClaudeSettings;
    /** The notebook's name. */
    label?: string;
    /** The translation bundle. */
    trans?: TranslationBundle;
    /** Where the notebook context of each question comes from. */
    context?: () => Promise<ISentContext | null>;
    /** The tools Claude may call. */
    tools?: IClaudeTools | null;
  }
}

/**
 * A new conversation id: letters, digits and '-', usable as a file name.
 */
export function newConversationId(): string {
  return UUID.uuid4();
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
  for (const turn of turns) {
    if (
      turn.role === 'assistant' &&
      !turn.exchange?.length &&
      (turn.status === 'streaming' || !turn.text.trim())
    ) {
      continue;
    }
    const parts: Array<{ role: 'user' | 'assistant'; content: ContentBlockParam[] }> =
      turn.role === 'user'
        ? [{ role: 'user', content: Private.questionBlocks(turn) }]
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

namespace Private {
  export function questionBlocks(turn: IChatTurn): ContentBlockParam[] {
    const blocks: ContentBlockParam[] = [];
    const context = turn.context;
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
    blocks.push({ type: 'text', text: turn.text });
    return blocks;
  }

  export function answerBlocks(turn: IChatTurn): ContentBlockParam[] {
    // An assistant message may not end with whitespace.
    return [{ type: 'text', text: turn.text.trimEnd() }];
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

  export function join(a: string, b: string): string {
    return a && b ? `${a}\n\n${b}` : a || b;
  }

  /**
   * A response's content as request content, to send back as it was (thinking with its
   * signature, tool calls with their ids).
   */
  export function toParams(content: ContentBlock[]): ContentBlockParam[] {
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
}
