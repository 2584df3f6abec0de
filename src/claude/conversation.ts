/*
 * One conversation with Claude: its turns, the streaming answer, Stop, Retry.
 *
 * The conversation owns its stream: an answer updates only the conversation that asked,
 * so an answer for one notebook can never land in another. Building the request
 * (request.ts), reading the stream (stream.ts), the tool rounds (toolRounds.ts) and how an
 * unfinished answer ends (failure.ts) live beside it.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import type { ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import { nullTranslator, type TranslationBundle } from '@jupyterlab/translation';
import { UUID } from '@lumino/coreutils';
import { Signal } from '@lumino/signaling';
import type { IAgentTask, IClaudeTools, PermissionMode } from '../agent/tokens';
import type { ISentContext } from '../context/tokens';
import { TRANSLATION_DOMAIN } from '../translation';
import { endUnfinished } from './failure';
import { compactionDue, compactionRequest, compactionRetryAt } from './compaction';
import { clearedByServer, serverClears, serverDoesNotClear, streamWithServerClearing } from './contextEditing';
import { DEFAULT_CLEARING, type IClearingPolicy, nextWatermark, requestTokens } from './contextWindow';
import { buildRequest, toContentParams, toMessageParams } from './request';
import { addUsage, emptyUsage, joinSteps, readStream, textOf } from './stream';
import type { IChatTurn, IClaudeSettings, IConversation, ISlashCommands } from './tokens';
import { limitOf, limitResults, limitText } from './limits';
import { runToolRound, tookOutsideContent } from './toolRounds';

export { toMessageParams } from './request';
export { MAX_TOOL_ROUNDS } from './toolRounds';

/**
 * The part of the SDK the conversation needs.
 */
export type IStreamingClient = Pick<Anthropic, 'messages' | 'beta' | 'models'>;

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
    this._commands = options.commands ?? null;
    this._system = options.system ?? null;
    this._trans = options.trans ?? nullTranslator.load(TRANSLATION_DOMAIN);
    this._id = options.id ?? newConversationId();
    this._mode = options.mode ?? (() => 'ask');
    this._setMode = options.setMode ?? null;
    this._clearing = options.clearing === undefined ? DEFAULT_CLEARING : options.clearing;
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
  setClient(client: IStreamingClient | (() => Promise<IStreamingClient>)): void {
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
    if (compactionDue(this._lastTokens, this._getSettings().compactAtTokens, this._compactRetryAt)) {
      await this._compact(turn);
      if (this._isDisposed) {
        return;
      }
      if (this._stopping) {
        this._stopping = false;
        this._pushStopped();
        return;
      }
    }
    await this._answer();
  }

  /**
   * Ask Claude for a summary of the conversation before `question` and put it before the
   * question as a compaction turn; later requests start from it. If it fails, the question is
   * answered from the whole conversation as before, the failed turn says so, and compaction
   * waits until the conversation has grown before it is tried again.
   */
  private async _compact(question: IChatTurn): Promise<void> {
    const at = this._turns.indexOf(question);
    const summary: IChatTurn = {
      ...Private.emptyAnswer('streaming'),
      compaction: true,
      model: this._getSettings().model
    };
    const before = this._turns.slice(0, at);
    this._turns.splice(at, 0, summary);
    this._answering = true;
    this._changed.emit(summary);
    try {
      const client = typeof this._client === 'function' ? await this._client() : this._client;
      const onServer = await this._serverClears(client);
      const request = compactionRequest(
        buildRequest({
          clearedToolResults: onServer ? 0 : this._clearedResults,
          settings: this._getSettings(),
          label: this._label,
          turns: before,
          tools: []
        })
      );
      const stream = onServer
        ? streamWithServerClearing(client, request, this._clearing ?? undefined)
        : client.messages.stream(request);
      this._stream = stream;
      const message = await readStream(stream, this._getSettings().timeoutSeconds * 1000, snapshot => {
        summary.text = textOf(snapshot).text;
        this._changed.emit(summary);
      });
      summary.text = textOf(message).text;
      summary.status = summary.text.trim() ? 'done' : 'error';
      const usage = emptyUsage();
      addUsage(usage, message.usage);
      summary.usage = usage;
      summary.requestId = stream.request_id ?? undefined;
      if (summary.status === 'done') {
        // The next requests are built from the summary: nothing of before is left to clear.
        this._lastTokens = 0;
        this._clearedResults = 0;
        this._compactRetryAt = 0;
      }
    } catch (error) {
      console.warn('jupyterlab-claude: could not compact the conversation', error);
      summary.status = 'error';
    } finally {
      this._stream = null;
      this._answering = false;
    }
    if (summary.status !== 'done' && this._stopping) {
      this._turns.splice(this._turns.indexOf(summary), 1);
    } else if (summary.status !== 'done') {
      // Nothing is lost: the question goes with the whole conversation, and the failed turn stays
      // to say so (once: the next try waits for the conversation to grow).
      summary.text = '';
      this._compactRetryAt = compactionRetryAt(this._lastTokens);
    }
    this._changed.emit(summary.status === 'done' ? summary : null);
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

  continue(): Promise<void> {
    return this.send(this._trans.__('Continue the task from where you stopped.'));
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
    this._task = { outsideContent: false };
    this._clearedResults = 0;
    this._lastTokens = 0;
    this._compactRetryAt = 0;
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
    // Past the trigger, the oldest tool results are cleared from this request on (by the API
    // itself where it can: then the request carries them all).
    const cleared =
      serverClears || !this._clearing
        ? 0
        : nextWatermark(this._clearedResults, this._lastTokens, toMessageParams(this._turns), this._clearing);
    if (serverClears) {
      this._clearedResults = 0;
    } else if (cleared > this._clearedResults) {
      this._clearedResults = cleared;
      const answer = this._turns[this._turns.length - 1];
      if (answer?.role === 'assistant') {
        answer.clearedToolResults = cleared;
      }
    }
    return buildRequest({
      clearedToolResults: this._clearedResults,
      settings: this._getSettings(),
      label: this._label,
      turns: this._turns,
      tools: this._tools?.definitions({ mode: this._mode() }) ?? [],
      system: this._system?.() ?? []
    });
  }

  /**
   * Whether the API clears old tool results for this conversation's model (never when the
   * conversation does not clear at all).
   */
  private _serverClears(client: IStreamingClient): Promise<boolean> {
    return this._clearing ? serverClears(client, this._getSettings().model) : Promise.resolve(false);
  }

  private _pushStopped(): void {
    const turn = Private.emptyAnswer('stopped');
    this._turns.push(turn);
    this._changed.emit(turn);
  }

  private async _answer(): Promise<void> {
    const turn: IChatTurn = { ...Private.emptyAnswer('streaming'), model: this._getSettings().model };
    this._turns.push(turn);
    this._answering = true;
    this._changed.emit(turn);
    this._stopping = false;
    // Text and thinking of the steps before the one streaming (steps are split by tool calls).
    let before = { text: '', thinking: '' };
    let step = { text: '', thinking: '' };
    const usage = emptyUsage();
    const show = () => {
      turn.text = joinSteps(before.text, step.text);
      turn.thinking = joinSteps(before.thinking, step.thinking);
      this._changed.emit(turn);
    };
    try {
      let stopped = false;
      let limited: IChatTurn['limit'] | null = null;
      for (let round = 0; ; round++) {
        // The request includes this turn's own earlier steps (its `exchange`).
        const client = typeof this._client === 'function' ? await this._client() : this._client;
        const model = this._getSettings().model;
        const onServer = await this._serverClears(client);
        const request = this.buildRequest(onServer);
        const stream = onServer
          ? streamWithServerClearing(client, request, this._clearing ?? undefined)
          : client.messages.stream(request);
        this._stream = stream;
        const message = await readStream(stream, this._getSettings().timeoutSeconds * 1000, snapshot => {
          step = textOf(snapshot);
          turn.model = snapshot.model || turn.model;
          show();
        }).finally(() => {
          turn.requestId = stream.request_id ?? turn.requestId;
        });
        step = textOf(message);
        show();
        turn.stopReason = message.stop_reason;
        addUsage(usage, message.usage);
        if (onServer) {
          const cleared = clearedByServer(message);
          if (cleared === null) {
            serverDoesNotClear(client, model);
          } else if (cleared > 0) {
            turn.clearedToolResults = cleared;
          }
        }
        this._lastTokens = requestTokens(message.usage);
        turn.contextTokens = this._lastTokens;
        turn.usage = { ...usage };
        const calls = message.content.filter((block): block is ToolUseBlock => block.type === 'tool_use');
        if (message.stop_reason !== 'tool_use' || !calls.length) {
          turn.exchange?.push({ role: 'assistant', content: toContentParams(message.content) });
          if (limited) {
            // Claude summarised at the limit: Continue resumes.
            turn.limit = limited;
          }
          break;
        }
        turn.exchange = turn.exchange ?? [];
        turn.exchange.push({ role: 'assistant', content: toContentParams(message.content) });
        this._stream = null;
        if (limited) {
          // Told of the limit, Claude kept calling tools: end the answer here (Continue resumes).
          turn.limit = limited;
          turn.stopReason = limited.kind === 'rounds' ? 'tool_limit' : 'token_budget';
          turn.exchange.push({ role: 'user', content: await limitResults(calls, turn, this._tools) });
          break;
        }
        const settings = this._getSettings();
        limited = limitOf(round, usage, settings);
        const results = await runToolRound(calls, {
          turn,
          tools: this._tools,
          round,
          model: settings.model,
          changed: () => this._changed.emit(turn),
          mode: this._mode(),
          task: this._task,
          setMode: this._setMode ?? undefined,
          limit: limited ? limitText(limited) : null
        });
        turn.exchange.push({ role: 'user', content: results });
        before = { text: turn.text, thinking: turn.thinking };
        step = { text: '', thinking: '' };
        if (this._stopping || this._isDisposed) {
          stopped = true;
          break;
        }
      }
      turn.status = stopped ? 'stopped' : 'done';
    } catch (error) {
      endUnfinished(turn, error, {
        stopping: this._stopping,
        timeoutSeconds: this._getSettings().timeoutSeconds,
        trans: this._trans
      });
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

  private _id: string;
  private _created = new Date().toISOString();
  private _removed: string[] = [];
  private _loading: Promise<void> | null = null;
  private _clearedResults = 0;
  private _lastTokens = 0;
  /** After a failed compaction: the size the conversation must reach before the next try. */
  private _compactRetryAt = 0;
  private _client: IStreamingClient | (() => Promise<IStreamingClient>);
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
  private _commands: Pick<ISlashCommands, 'resolve'> | null;
  private _system: (() => string[]) | null;
  private _isDisposed = false;
  private _changed = new Signal<this, IChatTurn | null>(this);
  private _mode: () => PermissionMode;
  private _setMode: ((mode: PermissionMode) => boolean) | null;
  private _clearing: IClearingPolicy | null;
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

namespace Private {
  /** An answer with nothing in it yet. */
  export function emptyAnswer(status: IChatTurn['status']): IChatTurn {
    return { id: UUID.uuid4(), role: 'assistant', created: new Date().toISOString(), text: '', thinking: '', status };
  }
}
