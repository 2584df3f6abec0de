/*
 * One conversation with Claude: its turns, the streaming answer, Stop, Retry.
 *
 * The conversation owns its stream: an answer updates only the conversation that asked,
 * so an answer for one notebook can never land in another.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import type {
  ContentBlockParam,
  Message,
  MessageParam,
  TextBlockParam
} from '@anthropic-ai/sdk/resources/messages';
import { nullTranslator, type TranslationBundle } from '@jupyterlab/translation';
import { UUID } from '@lumino/coreutils';
import { Signal } from '@lumino/signaling';
import type { IChatTurn, IClaudeSettings, IConversation, ISentContext } from '../tokens';
import { describeError, isUserAbort } from './errors';
import { systemPrompt } from './prompts';

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
    this._trans = options.trans ?? nullTranslator.load('jupyterlab_claude');
  }

  get turns(): ReadonlyArray<IChatTurn> {
    return this._turns;
  }

  get isBusy(): boolean {
    return this._stream !== null || this._preparing;
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

  async send(text: string): Promise<void> {
    const question = text.trim();
    if (!question || this.isBusy || this._isDisposed) {
      return;
    }
    const turn: IChatTurn = {
      id: UUID.uuid4(),
      role: 'user',
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
    this._turns.pop();
    this._changed.emit(null);
    await this._answer();
  }

  stop(): void {
    if (this._stream) {
      this._stopping = true;
      this._stream.abort();
    } else if (this._preparing) {
      this._stopping = true;
    }
  }

  clear(): void {
    this.stop();
    this._turns = [];
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
    if (settings.thinking !== 'default') {
      params.thinking = { type: settings.thinking };
    }
    if (settings.effort !== 'default') {
      params.output_config = { effort: settings.effort };
    }
    return params;
  }

  private _pushStopped(): void {
    const turn: IChatTurn = {
      id: UUID.uuid4(),
      role: 'assistant',
      text: '',
      thinking: '',
      status: 'stopped'
    };
    this._turns.push(turn);
    this._changed.emit(turn);
  }

  private async _answer(): Promise<void> {
    const params = this.buildRequest();
    const turn: IChatTurn = {
      id: UUID.uuid4(),
      role: 'assistant',
      text: '',
      thinking: '',
      status: 'streaming',
      model: params.model
    };
    this._turns.push(turn);
    this._changed.emit(turn);

    const stream = this._client.messages.stream(params);
    this._stream = stream;
    this._stopping = false;
    stream.on('streamEvent', (_event, snapshot) => {
      Private.copySnapshot(turn, snapshot);
      this._changed.emit(turn);
    });
    try {
      const message = await stream.finalMessage();
      Private.copySnapshot(turn, message);
      turn.status = 'done';
      turn.stopReason = message.stop_reason;
      turn.usage = {
        inputTokens: message.usage.input_tokens,
        outputTokens: message.usage.output_tokens,
        cacheCreationInputTokens: message.usage.cache_creation_input_tokens ?? 0,
        cacheReadInputTokens: message.usage.cache_read_input_tokens ?? 0
      };
    } catch (error) {
      if (this._stopping || isUserAbort(error)) {
        turn.status = 'stopped';
      } else {
        const midStream = turn.text.length > 0 || turn.thinking.length > 0;
        turn.status = midStream ? 'cut' : 'error';
        turn.error = describeError(error, this._trans, midStream);
      }
    } finally {
      turn.requestId = stream.request_id ?? turn.error?.requestId;
      this._stream = null;
      this._stopping = false;
      if (!this._isDisposed) {
        this._changed.emit(turn);
      }
    }
  }

  private _client: IStreamingClient;
  private _getSettings: () => IClaudeSettings;
  private _label: string;
  private _trans: TranslationBundle;
  private _turns: IChatTurn[] = [];
  private _stream: MessageStream | null = null;
  private _stopping = false;
  private _preparing = false;
  private _contextSource: (() => Promise<ISentContext | null>) | null;
  private _isDisposed = false;
  private _changed = new Signal<this, IChatTurn | null>(this);
}

/**
 * The namespace for `Conversation` statics.
 */
export namespace Conversation {
  export interface IOptions {
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
  }
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
    if (turn.role === 'assistant' && (turn.status === 'streaming' || !turn.text.trim())) {
      continue;
    }
    const content = turn.role === 'user' ? Private.questionBlocks(turn) : Private.answerBlocks(turn);
    const last = messages[messages.length - 1];
    if (last && last.role === turn.role) {
      (last.content as ContentBlockParam[]).push(...content);
    } else {
      messages.push({ role: turn.role, content });
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
   * Copy the text and thinking of a message snapshot into a turn.
   */
  export function copySnapshot(turn: IChatTurn, message: Message): void {
    const texts: string[] = [];
    const thinking: string[] = [];
    for (const block of message.content) {
      if (block.type === 'text') {
        texts.push(block.text);
      } else if (block.type === 'thinking') {
        thinking.push(block.thinking);
      }
    }
    turn.text = texts.join('\n\n');
    turn.thinking = thinking.join('\n\n');
    turn.model = message.model || turn.model;
  }
}
