/*
 * One conversation with Claude: its turns, the question and its preparation, Stop, Retry,
 * New chat, a saved conversation shown again.
 *
 * The conversation owns its answers: an answer updates only the conversation that asked,
 * so an answer for one notebook can never land in another. Answering (answer.ts: the request
 * loop, compaction, the stream Stop aborts, what the requests take of the context window),
 * building the request (request.ts), reading the stream (stream.ts), the tool rounds
 * (toolRounds.ts) and how an unfinished answer ends (failure.ts) live beside it.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { nullTranslator, type TranslationBundle } from '@jupyterlab/translation';
import { UUID } from '@lumino/coreutils';
import { Signal } from '@lumino/signaling';
import type { IAgentTask, IClaudeTools, PermissionMode } from '../agent/tokens';
import type { ISentContext } from '../context/tokens';
import { TRANSLATION_DOMAIN } from '../translation';
import { Answerer, emptyAnswer, type IStreamingClient } from './answer';
import { DEFAULT_CLEARING, type IClearingPolicy } from './contextWindow';
import type { IChatTurn, IClaudeSettings, IConversation, ISlashCommands } from './tokens';
import { tookOutsideContent } from './toolRounds';

export { toMessageParams } from './request';
export { MAX_TOOL_ROUNDS } from './toolRounds';

/**
 * A conversation with Claude.
 */
export class Conversation implements IConversation {
  constructor(options: Conversation.IOptions) {
    this._label = options.label ?? '';
    this._contextSource = options.context ?? null;
    this._tools = options.tools ?? null;
    this._commands = options.commands ?? null;
    this._trans = options.trans ?? nullTranslator.load(TRANSLATION_DOMAIN);
    this._id = options.id ?? newConversationId();
    this._mode = options.mode ?? (() => 'ask');
    this._answerer = new Answerer({
      conversation: {
        turns: () => this._turns,
        label: () => this._label,
        tools: () => this._tools,
        task: () => this._task,
        changed: turn => this._changed.emit(turn),
        isDisposed: () => this._isDisposed
      },
      client: options.client,
      settings: options.settings,
      trans: this._trans,
      mode: this._mode,
      setMode: options.setMode,
      system: options.system,
      clearing: options.clearing === undefined ? DEFAULT_CLEARING : options.clearing
    });
  }

  /**
   * The permission mode in force (read at each request and each tool call).
   */
  get mode(): PermissionMode {
    return this._mode();
  }

  /**
   * What this conversation's work has taken in (content from outside the notebook).
   */
  get task(): Readonly<IAgentTask> {
    return this._task;
  }

  /**
   * Whether the saved conversation is still being loaded (its id and turns may still change).
   */
  get isLoading(): boolean {
    return this._loading !== null;
  }

  /**
   * Settles once the saved conversation is loaded (at once when nothing is loading).
   */
  get loaded(): Promise<void> {
    return this._loading ?? Promise.resolve();
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
    return this._answerer.isAnswering || this._preparing;
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
  setClient(client: IStreamingClient | (() => Promise<IStreamingClient>)): void {
    this._answerer.setClient(client);
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
    this._task = { outsideContent: tookOutsideContent(this._turns) };
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
    const commands = question.startsWith('/') ? this._commands : null;
    if (this._contextSource || commands) {
      this._preparing = true;
      this._stopping = false;
      try {
        // What a `/name` command adds to this one question (resolve never throws).
        turn.command = (await commands?.resolve(question)) ?? undefined;
        turn.context = (await this._contextSource?.()) ?? undefined;
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
    if (this._answerer.compactionDue) {
      const stopped = await this._answerer.compact(turn);
      if (this._isDisposed) {
        return;
      }
      if (stopped) {
        this._pushStopped();
        return;
      }
    }
    await this._answerer.answer();
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
    await this._answerer.answer();
  }

  continue(): Promise<void> {
    return this.send(this._trans.__('Continue the task from where you stopped.'));
  }

  stop(): void {
    if (this._preparing) {
      // Gathering the context: stop before the first request, settling what waits.
      this._stopping = true;
      this._tools?.cancelPending?.();
    } else {
      this._answerer.stop();
    }
  }

  clear(): void {
    this.stop();
    this._turns = [];
    this._removed = [];
    this._task = { outsideContent: false };
    this._answerer.reset();
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
  buildRequest(serverClears = false): Anthropic.MessageCreateParamsStreaming {
    return this._answerer.buildRequest(serverClears);
  }

  private _pushStopped(): void {
    const turn = emptyAnswer('stopped');
    this._turns.push(turn);
    this._changed.emit(turn);
  }

  private _id: string;
  private _created = new Date().toISOString();
  private _removed: string[] = [];
  private _loading: Promise<void> | null = null;
  private _label: string;
  private _trans: TranslationBundle;
  private _turns: IChatTurn[] = [];
  /** Stop was pressed while the question was being prepared. */
  private _stopping = false;
  private _preparing = false;
  private _contextSource: (() => Promise<ISentContext | null>) | null;
  private _tools: IClaudeTools | null;
  private _commands: Pick<ISlashCommands, 'resolve'> | null;
  private _isDisposed = false;
  private _changed = new Signal<this, IChatTurn | null>(this);
  private _mode: () => PermissionMode;
  private _answerer: Answerer;
  private _task: IAgentTask = { outsideContent: false };
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
    /** The SDK client, or how to get it when the first request is made (the SDK loads lazily). */
    client: IStreamingClient | (() => Promise<IStreamingClient>);
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
    /** The slash commands a question may begin with. */
    commands?: Pick<ISlashCommands, 'resolve'> | null;
    /** More of the system prompt, read at each request (the skills listing), inside the cached prefix. */
    system?: (() => string[]) | null;
    /** The conversation's permission mode (read at each request; absent: 'ask'). */
    mode?: () => PermissionMode;
    /** Change the conversation's permission mode; false when not allowed (absent: it cannot change). */
    setMode?: (mode: PermissionMode) => boolean;
    /** When old tool results are cleared (absent: `DEFAULT_CLEARING`; null: never, as a benchmark compares). */
    clearing?: IClearingPolicy | null;
  }
}

/**
 * A new conversation id: letters, digits and '-', usable as a file name.
 */
export function newConversationId(): string {
  return UUID.uuid4();
}
