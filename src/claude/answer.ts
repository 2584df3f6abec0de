/*
 * Answering a conversation's questions: the requests it sends and the streams that answer them.
 *
 * One answer is a loop (a request, its stream, a round of tool calls, the next request) until
 * Claude ends its turn, a limit is reached or the scientist stops it; before a question the
 * conversation may first be compacted into a summary. Between answers the `Answerer` keeps what
 * the requests take of the context window: the last request's size, how many old tool results
 * are cleared from the requests, and when a failed compaction is tried again. The conversation
 * (conversation.ts) keeps the turns and decides when to answer, stop or start over.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import type { ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import type { TranslationBundle } from '@jupyterlab/translation';
import { UUID } from '@lumino/coreutils';
import type { IAgentTask, IClaudeTools, PermissionMode } from '../agent/tokens';
import { endUnfinished } from './failure';
import { compactionDue, compactionRequest, compactionRetryAt } from './compaction';
import { clearedByServer, serverClears, serverDoesNotClear, streamWithServerClearing } from './contextEditing';
import { type IClearingPolicy, nextWatermark, requestTokens } from './contextWindow';
import { buildRequest, toContentParams, toMessageParams } from './request';
import { addUsage, emptyUsage, joinSteps, readStream, textOf } from './stream';
import type { IChatTurn, IClaudeSettings } from './tokens';
import { limitOf, limitResults, limitText } from './limits';
import { runToolRound } from './toolRounds';

/**
 * The part of the SDK the conversation needs.
 */
export type IStreamingClient = Pick<Anthropic, 'messages' | 'beta' | 'models'>;

/**
 * An answer with nothing in it yet.
 */
export function emptyAnswer(status: IChatTurn['status']): IChatTurn {
  return { id: UUID.uuid4(), role: 'assistant', created: new Date().toISOString(), text: '', thinking: '', status };
}

/**
 * What answers one conversation: its requests, the stream being read, and what the requests
 * take of the context window.
 */
export class Answerer {
  constructor(options: Answerer.IOptions) {
    this._conversation = options.conversation;
    this._client = options.client;
    this._getSettings = options.settings;
    this._trans = options.trans;
    this._mode = options.mode;
    this._setMode = options.setMode ?? null;
    this._system = options.system ?? null;
    this._clearing = options.clearing;
  }

  /**
   * Whether an answer or a summary is on its way (streaming, or waiting for its tools).
   */
  get isAnswering(): boolean {
    return this._answering;
  }

  /**
   * Whether the next question is compacted first.
   */
  get compactionDue(): boolean {
    return compactionDue(this._lastTokens, this._getSettings().compactAtTokens, this._compactRetryAt);
  }

  /**
   * Swap the client (e.g. after the settings changed).
   */
  setClient(client: IStreamingClient | (() => Promise<IStreamingClient>)): void {
    this._client = client;
  }

  /**
   * Stop: abort the stream being read or, between requests (tools, proposals waiting for
   * review), settle what waits and send no next request.
   */
  stop(): void {
    if (this._stream) {
      this._stopping = true;
      this._stream.abort();
    } else if (this._answering) {
      this._stopping = true;
      this._conversation.tools()?.cancelPending?.();
    }
  }

  /**
   * Forget what the requests took of the context window (a new chat).
   */
  reset(): void {
    this._clearedResults = 0;
    this._lastTokens = 0;
    this._compactRetryAt = 0;
  }

  /**
   * The request the conversation would send now.
   */
  buildRequest(serverClears = false): Anthropic.MessageCreateParamsStreaming {
    const turns = this._conversation.turns();
    // Past the trigger, the oldest tool results are cleared from this request on (by the API
    // itself where it can: then the request carries them all).
    const cleared =
      serverClears || !this._clearing
        ? 0
        : nextWatermark(this._clearedResults, this._lastTokens, toMessageParams(turns), this._clearing);
    if (serverClears) {
      this._clearedResults = 0;
    } else if (cleared > this._clearedResults) {
      this._clearedResults = cleared;
      const answer = turns[turns.length - 1];
      if (answer?.role === 'assistant') {
        answer.clearedToolResults = cleared;
      }
    }
    return buildRequest({
      clearedToolResults: this._clearedResults,
      settings: this._getSettings(),
      label: this._conversation.label(),
      turns,
      tools: this._conversation.tools()?.definitions({ mode: this._mode() }) ?? [],
      system: this._system?.() ?? []
    });
  }

  /**
   * Ask Claude for a summary of the conversation before `question` and put it before the
   * question as a compaction turn; later requests start from it. If it fails, the question is
   * answered from the whole conversation as before, the failed turn says so, and compaction
   * waits until the conversation has grown before it is tried again.
   *
   * @returns whether Stop was pressed while the summary was asked for.
   */
  async compact(question: IChatTurn): Promise<boolean> {
    const turns = this._conversation.turns();
    const at = turns.indexOf(question);
    const summary: IChatTurn = {
      ...emptyAnswer('streaming'),
      compaction: true,
      model: this._getSettings().model
    };
    const before = turns.slice(0, at);
    turns.splice(at, 0, summary);
    this._answering = true;
    this._conversation.changed(summary);
    try {
      const client = typeof this._client === 'function' ? await this._client() : this._client;
      const onServer = await this._serverClears(client);
      const request = compactionRequest(
        buildRequest({
          clearedToolResults: onServer ? 0 : this._clearedResults,
          settings: this._getSettings(),
          label: this._conversation.label(),
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
        this._conversation.changed(summary);
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
      const current = this._conversation.turns();
      current.splice(current.indexOf(summary), 1);
    } else if (summary.status !== 'done') {
      // Nothing is lost: the question goes with the whole conversation, and the failed turn stays
      // to say so (once: the next try waits for the conversation to grow).
      summary.text = '';
      this._compactRetryAt = compactionRetryAt(this._lastTokens);
    }
    this._conversation.changed(summary.status === 'done' ? summary : null);
    const stopped = this._stopping;
    this._stopping = false;
    return stopped;
  }

  /**
   * Answer the conversation's last question: a new answer, streamed, with as many rounds of
   * tool calls as Claude asks for within the limits.
   */
  async answer(): Promise<void> {
    const turn: IChatTurn = { ...emptyAnswer('streaming'), model: this._getSettings().model };
    this._conversation.turns().push(turn);
    this._answering = true;
    this._conversation.changed(turn);
    this._stopping = false;
    // Text and thinking of the steps before the one streaming (steps are split by tool calls).
    let before = { text: '', thinking: '' };
    let step = { text: '', thinking: '' };
    const usage = emptyUsage();
    const show = () => {
      turn.text = joinSteps(before.text, step.text);
      turn.thinking = joinSteps(before.thinking, step.thinking);
      this._conversation.changed(turn);
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
          turn.exchange.push({ role: 'user', content: await limitResults(calls, turn, this._conversation.tools()) });
          break;
        }
        const settings = this._getSettings();
        limited = limitOf(round, usage, settings);
        const results = await runToolRound(calls, {
          turn,
          tools: this._conversation.tools(),
          round,
          model: settings.model,
          changed: () => this._conversation.changed(turn),
          mode: this._mode(),
          task: this._conversation.task(),
          setMode: this._setMode ?? undefined,
          limit: limited ? limitText(limited) : null
        });
        turn.exchange.push({ role: 'user', content: results });
        before = { text: turn.text, thinking: turn.thinking };
        step = { text: '', thinking: '' };
        if (this._stopping || this._conversation.isDisposed()) {
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
      if (!this._conversation.isDisposed()) {
        this._conversation.changed(turn);
      }
    }
  }

  /**
   * Whether the API clears old tool results for this conversation's model (never when the
   * conversation does not clear at all).
   */
  private _serverClears(client: IStreamingClient): Promise<boolean> {
    return this._clearing ? serverClears(client, this._getSettings().model) : Promise.resolve(false);
  }

  private _conversation: Answerer.IConversation;
  private _client: IStreamingClient | (() => Promise<IStreamingClient>);
  private _getSettings: () => IClaudeSettings;
  private _trans: TranslationBundle;
  private _mode: () => PermissionMode;
  private _setMode: ((mode: PermissionMode) => boolean) | null;
  private _system: (() => string[]) | null;
  private _clearing: IClearingPolicy | null;
  private _stream: MessageStream | null = null;
  private _stopping = false;
  private _answering = false;
  private _clearedResults = 0;
  private _lastTokens = 0;
  /** After a failed compaction: the size the conversation must reach before the next try. */
  private _compactRetryAt = 0;
}

/**
 * The namespace for `Answerer` statics.
 */
export namespace Answerer {
  /**
   * What the answerer reads of its conversation, each time it needs it.
   */
  export interface IConversation {
    /** The turns (answers and summaries are added to them). */
    turns(): IChatTurn[];
    /** The notebook's name. */
    label(): string;
    /** The tools Claude may call (`null`: none). */
    tools(): IClaudeTools | null;
    /** What the conversation's work has taken in. */
    task(): IAgentTask;
    /** Show a turn again (`null`: the turns changed). */
    changed(turn: IChatTurn | null): void;
    /** Whether the conversation was disposed of. */
    isDisposed(): boolean;
  }

  /**
   * How an answerer is made (the conversation's own options, read as they are needed).
   */
  export interface IOptions {
    /** The conversation answered. */
    conversation: IConversation;
    /** The SDK client, or how to get it when the first request is made. */
    client: IStreamingClient | (() => Promise<IStreamingClient>);
    /** The settings in force, read at each request. */
    settings: () => IClaudeSettings;
    /** The translation bundle. */
    trans: TranslationBundle;
    /** The conversation's permission mode, read at each request. */
    mode: () => PermissionMode;
    /** Change the conversation's permission mode (absent: it cannot change). */
    setMode?: ((mode: PermissionMode) => boolean) | null;
    /** More of the system prompt, read at each request. */
    system?: (() => string[]) | null;
    /** When old tool results are cleared (null: never). */
    clearing: IClearingPolicy | null;
  }
}
