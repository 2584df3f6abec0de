/*
 * Public interfaces of conversations with Claude and the Lumino tokens that provide them.
 * No logic lives here.
 */
import type { ISignal } from '@lumino/signaling';
import type { IDisposable } from '@lumino/disposable';
import { Token } from '@lumino/coreutils';
import type { ISentContext } from '../context/tokens';

/**
 * The user's settings for talking to Claude, as read from the settings registry.
 */
export interface IClaudeSettings {
  /** Model id sent with every request. */
  model: string;
  /** Maximum number of output tokens per answer. */
  maxTokens: number;
  /** How much effort the model puts in (`output_config.effort`); `default` sends none. */
  effort: 'default' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';
  /** Thinking: the model's default, adaptive thinking, or none. */
  thinking: 'default' | 'adaptive' | 'disabled';
  /** The most tokens the notebook context of one question may take. */
  contextBudgetTokens: number;
  /** Whether the kernel's variables are summarised for Claude. */
  inspectKernel: boolean;
  /** Extra instructions appended to the system prompt. */
  customInstructions: string;
  /** Retries the SDK makes on 408/409/429/5xx/529 and connection errors. */
  maxRetries: number;
  /** Request timeout in seconds. */
  timeoutSeconds: number;
  /** The most rounds of tool calls one question may use. */
  maxToolRounds: number;
  /** The most tokens (input, cache reads and writes, output) one question's task may use; 0: no budget. */
  taskTokenBudget: number;
  /** Compact the conversation into a summary once a request used this many input tokens (0: never). */
  compactAtTokens: number;
  /** The permission mode a new conversation starts in. */
  defaultPermissionMode: 'ask' | 'acceptEdits' | 'plan' | 'runInNotebook';
}

/**
 * Where a chat turn stands.
 *
 * - `streaming`: the answer is arriving.
 * - `done`: the answer ended normally.
 * - `stopped`: the scientist pressed Stop; the partial answer is kept.
 * - `cut`: the stream broke before the end; the partial answer is kept.
 * - `error`: the request failed before any answer arrived.
 */
export type TurnStatus = 'streaming' | 'done' | 'stopped' | 'cut' | 'error';

/**
 * What went wrong, phrased for the scientist.
 */
export interface IClaudeError {
  /** A stable kind, for styling and tests. */
  kind:
    | 'no-key'
    | 'invalid-key'
    | 'permission'
    | 'rate-limited'
    | 'overloaded'
    | 'upstream'
    | 'network'
    | 'timeout'
    | 'cut'
    | 'bad-request'
    | 'too-large'
    | 'unknown';
  /** One line: what happened. */
  title: string;
  /** What to do about it. */
  detail: string;
  /** Seconds to wait before retrying, from the `retry-after` header. */
  retryAfterSeconds?: number;
  /** The upstream's request id, for support. */
  requestId?: string;
  /** HTTP status, when there was one. */
  status?: number;
}

/**
 * Token usage of one answer, as reported by the Messages API.
 */
export interface ITurnUsage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
}

/**
 * A tool Claude called while answering.
 */
export interface IToolCall {
  id: string;
  name: string;
  input: unknown;
  /** What it does, for the scientist ("Read cell #4"). */
  summary: string;
  status: 'running' | 'done' | 'error';
  /** The start of what it returned, for a tooltip. */
  preview?: string;
}

/**
 * One turn of a conversation.
 */
export interface IChatTurn {
  readonly id: string;
  readonly role: 'user' | 'assistant';
  /** When it was asked or answered (ISO time); orders turns merged from two tabs. */
  created?: string;
  /** Markdown text (for the assistant, what has arrived so far). */
  text: string;
  /** Extended thinking text, if any. */
  thinking: string;
  status: TurnStatus;
  error?: IClaudeError;
  model?: string;
  requestId?: string;
  /** The API's stop reason, or ours: 'tool_limit' (rounds) or 'token_budget' (see `limit`). */
  stopReason?: string | null;
  /** For an answer ended at a limit: which, and its value (Continue resumes). */
  limit?: { kind: 'rounds' | 'tokens'; value: number };
  usage?: ITurnUsage;
  /** For an answer: the input tokens of its last request (how much of the context window it used). */
  contextTokens?: number;
  /** For an answer whose requests had the oldest tool results cleared: how many. */
  clearedToolResults?: number;
  /** For an answer that is Claude's summary of the conversation before it (compaction). */
  compaction?: boolean;
  /** For a question: the notebook context sent with it. */
  context?: ISentContext;
  /** For a question that began with `/name`: what that command added to it. */
  command?: ISentCommand;
  /** For an answer: the tools Claude called on the way. */
  toolCalls?: IToolCall[];
  /**
   * For an answer that used tools: the Messages API messages it is made of (assistant content
   * blocks and the tool results), replayed as they were so the history stays exact.
   */
  exchange?: Array<{ role: 'user' | 'assistant'; content: unknown[] }>;
}

/**
 * The conversation attached to one notebook.
 */
export interface IConversation extends IDisposable {
  /** The conversation's id (the name of its saved file); New chat starts a new one. */
  readonly id: string;
  /** The turns, oldest first. */
  readonly turns: ReadonlyArray<IChatTurn>;
  /** Whether an answer is streaming. */
  readonly isBusy: boolean;
  /** A label for the conversation (the notebook's name). */
  readonly label: string;
  /**
   * Whether the conversation is still loading (its code, or its saved chat): its id may still
   * change, so what is keyed by it (the permission mode) waits for `loaded`.
   */
  readonly isLoading?: boolean;
  /** Settles once the saved chat is loaded (the stand-in before the code loads has none). */
  readonly loaded?: Promise<void>;
  /** Emitted whenever a turn is added or changes. */
  readonly changed: ISignal<IConversation, IChatTurn | null>;
  /** Ask Claude; resolves when the answer ends, however it ends. */
  send(text: string): Promise<void>;
  /** Stop the streaming answer, keeping what arrived. */
  stop(): void;
  /** Ask again after an error or a cut, reusing the last question. */
  retry(): Promise<void>;
  /** Resume a task that stopped at a limit (a new question asking Claude to go on). */
  continue(): Promise<void>;
  /** Start over. */
  clear(): void;
}

/**
 * Conversations, one per notebook, and the one in focus.
 */
export interface IConversationRegistry {
  /** The conversation of the notebook in focus (or the general one). */
  readonly current: IConversation;
  /** Emitted when the conversation in focus changes. */
  readonly currentChanged: ISignal<IConversationRegistry, IConversation>;
  /** The settings in force. */
  readonly settings: IClaudeSettings;
  /** Emitted when the settings change. */
  readonly settingsChanged: ISignal<IConversationRegistry, IClaudeSettings>;
  /** Apply new settings now (the next request of every conversation uses them). */
  updateSettings(settings: IClaudeSettings): void;
  /** The saved conversations of the notebook in focus, when conversations are saved. */
  readonly history: IConversationHistory | null;
}

/**
 * A saved conversation, as listed.
 */
export interface IConversationSummary {
  id: string;
  /** The first question. */
  title: string;
  created: string;
  updated: string;
  /** How many turns it has. */
  turns: number;
}

/**
 * The saved conversations of the notebook in focus, and how saving goes.
 */
export interface IConversationHistory {
  /** Whether the conversation in focus is saved (false for the general chat). */
  readonly available: boolean;
  /** `error`: the last save failed; it is tried again with the next one. */
  readonly saveState: 'idle' | 'saving' | 'saved' | 'error';
  /** Why the last save failed, said plainly. */
  readonly saveError: string | null;
  /** Emitted when the save state or the conversation in focus changes. */
  readonly changed: ISignal<IConversationHistory, void>;
  /** The saved conversations of the notebook in focus, newest first. */
  list(): Promise<IConversationSummary[]>;
  /** Show a saved conversation in place of the one in focus. */
  open(id: string): Promise<void>;
  /** Delete a saved conversation; deleting the one in focus starts a new chat. */
  remove(id: string): Promise<void>;
}

/**
 * The conversation registry token.
 */
export const IConversationRegistry = new Token<IConversationRegistry>(
  'jupyterlab-claude:IConversationRegistry',
  'Conversations with Claude, one per notebook.'
);

/**
 * A slash command: `/name` at the start of a question. Skills and MCP prompts register theirs.
 */
export interface ISlashCommand {
  /** The name typed after `/` (letters, digits, `_ . : -`; at most 100 characters). */
  name: string;
  /** One line for the completion list. */
  description: string;
  /** Where it comes from, shown beside it (`skill`, `MCP: server`). */
  source: string;
  /**
   * What the command adds to the question it begins; `args` is the rest of the draft.
   * It may throw: the question then goes without it and Claude is told why.
   */
  resolve(args: string): ISlashContribution | Promise<ISlashContribution>;
}

/**
 * What a slash command adds to one question (and to no other).
 */
export interface ISlashContribution {
  /** Text sent in the user message before the question (a prompt's messages, a skill's body). */
  userText?: string;
  /** An instruction for answering this one question. Sent with the question, not in the
   * system prompt, so the cached prefix stays the same. */
  systemNote?: string;
  /** A skill Claude is to use for this question (its name). */
  skill?: string;
}

/**
 * What a command added to a question, kept on the turn so the history replays exactly.
 */
export interface ISentCommand extends ISlashContribution {
  name: string;
  source: string;
  /** The draft after `/name`. */
  args: string;
  /** Why the command could not add its part, when it could not. */
  error?: string;
}

/**
 * The slash commands on offer.
 */
export interface ISlashCommands {
  /** The commands, sorted by name. */
  readonly commands: ReadonlyArray<ISlashCommand>;
  /** Emitted when a command is added or removed. */
  readonly changed: ISignal<ISlashCommands, void>;
  /** Add a command; disposing the result removes it. A name already taken is refused (throws). */
  register(command: ISlashCommand): IDisposable;
  /** Whether a command of that name is registered. */
  has(name: string): boolean;
  /** The commands offered while typing `draft` with the cursor at `cursor` (none: no popup). */
  complete(draft: string, cursor?: number): ISlashCommand[];
  /** What the command a question begins with adds to it (null: it begins with none). */
  resolve(text: string): Promise<ISentCommand | null>;
}

/**
 * The slash command registry token.
 */
export const ISlashCommands = new Token<ISlashCommands>(
  'jupyterlab-claude:ISlashCommands',
  'Commands typed as /name at the start of a question: skills, MCP prompts.'
);
