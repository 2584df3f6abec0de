/*
 * Public interfaces of jupyterlab-claude and the Lumino tokens that provide them.
 * No logic lives here.
 */
import type { ISignal } from '@lumino/signaling';
import type { IDisposable } from '@lumino/disposable';
import { Token } from '@lumino/coreutils';

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
 * A part of the notebook context, as shown to the scientist (a chip).
 */
export interface IContextPart {
  /** `outline`, `variables`, a cell id, or an image id. */
  id: string;
  kind: string;
  title: string;
  tokens: number;
  /** Why it was left out, for parts that were. */
  reason?: string;
}

/**
 * An image sent to Claude with a question (a plot from an output).
 */
export interface IContextImage {
  id: string;
  title: string;
  mediaType: 'image/png' | 'image/jpeg';
  base64: string;
}

/**
 * The notebook context sent with one question: exactly what Claude saw.
 */
export interface ISentContext {
  /** The beginning that rarely changes (heading, outline): cached between questions. */
  stableText: string;
  /** The rest: variables, outputs, the cells in focus, the last error, what was left out. */
  volatileText: string;
  images: IContextImage[];
  /** What was attached. */
  parts: IContextPart[];
  /** What was left out, and why. */
  omitted: IContextPart[];
  totalTokens: number;
  /** Secrets replaced before sending. */
  redactions: number;
  /** A problem gathering it (e.g. the kernel was busy), said plainly. */
  notes: string[];
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
 * What a tool returns to Claude.
 */
export interface IToolResult {
  content: string;
  isError?: boolean;
}

/**
 * A tool Claude may call, described for the Messages API.
 */
export interface IToolDefinition {
  name: string;
  description: string;
  input_schema: { type: 'object'; properties?: unknown; required?: string[]; [key: string]: unknown };
}

/**
 * The tools of one notebook. Read tools answer at once; nothing here changes the notebook.
 */
export interface IClaudeTools {
  definitions(): IToolDefinition[];
  /** Say in a few words what a call does. */
  describe(name: string, input: unknown): string;
  /**
   * Answer a call. A proposal (a change to the notebook, a run) resolves only when the
   * scientist has accepted or rejected it.
   */
  run(name: string, input: unknown, call?: IToolCallInfo): Promise<IToolResult>;
  /** The scientist stopped the answer: settle whatever waits for a decision. */
  cancelPending?(): void;
}

/**
 * Where a tool call comes from, for provenance.
 */
export interface IToolCallInfo {
  toolUseId: string;
  model: string;
  requestId: string | null;
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
  stopReason?: string | null;
  usage?: ITurnUsage;
  /** For a question: the notebook context sent with it. */
  context?: ISentContext;
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
  /** Emitted whenever a turn is added or changes. */
  readonly changed: ISignal<IConversation, IChatTurn | null>;
  /** Ask Claude; resolves when the answer ends, however it ends. */
  send(text: string): Promise<void>;
  /** Stop the streaming answer, keeping what arrived. */
  stop(): void;
  /** Ask again after an error or a cut, reusing the last question. */
  retry(): Promise<void>;
  /** Start over. */
  clear(): void;
}

/**
 * What the scientist changed about a notebook's context: parts removed, cells attached.
 */
export interface IContextSelection {
  readonly excludedIds: string[];
  readonly extraCellIds: string[];
  readonly changed: ISignal<IContextSelection, void>;
  exclude(id: string): void;
  include(id: string): void;
  attach(cellIds: string[]): void;
}

/**
 * The notebook context of the notebook in focus: what the next question would carry.
 */
export interface INotebookContextService {
  /** The scientist's choices for the notebook in focus, or null without a notebook. */
  readonly selection: IContextSelection | null;
  /** Emitted when the notebook in focus, its active cell or the choices change. */
  readonly changed: ISignal<INotebookContextService, void>;
  /** The context the next question would carry (does not wait for a busy kernel). */
  preview(): Promise<ISentContext | null>;
  /** The ids of the cells selected in the notebook in focus. */
  selectedCellIds(): string[];
  /** The proposals of the notebook in focus. */
  proposals(): IProposalQueue | null;
  /** How the notebook in focus names a cell ("cell #3"). */
  cellLabel(cellId: string): string;
  /** Emitted when the notebook in focus changes or its proposals or hypotheses do. */
  readonly proposalsChanged: ISignal<INotebookContextService, void>;
  /** The hypotheses of the notebook in focus. */
  hypotheses(): INotebookHypotheses | null;
}

/**
 * A change Claude proposed, as the scientist reviews it.
 */
export interface IProposalState {
  readonly id: string;
  readonly kind: 'insert' | 'replace' | 'delete' | 'run';
  /** Target cell, or the anchor an insert goes after (null: the top). */
  readonly cellId: string | null;
  readonly cellType: 'code' | 'markdown';
  readonly source: string;
  readonly originalSource: string | null;
  readonly status: 'pending' | 'accepted' | 'rejected' | 'stale' | 'failed';
  readonly edited: boolean;
  readonly reason?: string;
  readonly appliedCellId?: string;
}

/**
 * The proposals of one notebook, waiting for (or decided by) the scientist.
 */
export interface IProposalQueue {
  readonly proposals: ReadonlyArray<IProposalState>;
  /**
   * Add a proposal; resolves with what the scientist decided, phrased for Claude. Throws
   * nothing: a malformed one resolves at once as an error.
   */
  propose(
    kind: IProposalState['kind'],
    input: unknown,
    call: IToolCallInfo
  ): Promise<IToolResult>;
  /** Emitted when a proposal is added or changes, or an undo becomes (un)available. */
  readonly changed: ISignal<IProposalQueue, void>;
  /** Apply it (with the scientist's edits), and run the cell if asked. */
  accept(id: string, options?: { source?: string; run?: boolean }): Promise<void>;
  /** Leave the notebook as it is; the reason goes back to Claude. */
  reject(id: string, reason?: string): void;
  canUndo(id: string): boolean;
  /** Restore the notebook as before the acceptance; returns why not, or null. */
  undo(id: string): string | null;
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
  /** The notebook context questions carry, when notebooks are available. */
  readonly notebookContext: INotebookContextService | null;
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
 * Where a hypothesis stands.
 *
 * - `proposed`: Claude proposed it; the scientist has not decided.
 * - `accepted`: accepted for testing; its cells are in the notebook, no result yet.
 * - `supported` / `refuted` / `inconclusive`: computed from the test cell's result and the
 *   record's criteria, never from Claude's words.
 * - `not_tested`: the test cell ran and failed (the error is in the evidence).
 * - `retired`: the scientist set it aside.
 */
export type HypothesisStatus =
  | 'proposed'
  | 'accepted'
  | 'supported'
  | 'refuted'
  | 'inconclusive'
  | 'not_tested'
  | 'retired';

/**
 * How a hypothesis is tested and what would count as support.
 */
export interface IHypothesisTest {
  /** The method, e.g. "Welch t-test", "OLS coefficient", "chi-square", "permutation test". */
  method: string;
  /** The Python code of the test; it leaves its result in a dict named `result`. */
  code: string;
  /** The significance level, e.g. 0.05. */
  alpha: number;
  /** The alternative the p-value is for. */
  alternative: 'two-sided' | 'greater' | 'less';
  /** The sign of the effect that would support H1 (`any` for a two-sided claim). */
  expectedDirection: 'positive' | 'negative' | 'any';
  /** The smallest effect (absolute value, in the effect's units) that would count as support. */
  minEffect?: number | null;
  /** What the effect size measures ("difference in means", "Cohen's d", "slope"). */
  effectMeasure?: string;
}

/**
 * What a test cell reported, read from its output.
 */
export interface IHypothesisEvidence {
  statistic: number | null;
  /** "t", "chi2", "F", ... */
  statisticName?: string;
  pValue: number | null;
  effectSize: number | null;
  /** Confidence interval of the effect, if reported. */
  ci?: [number, number] | null;
  /** The interval's level, e.g. 0.95. */
  ciLevel?: number | null;
  n: number | null;
  /** The test cell failed: its error name and message. */
  error?: string | null;
  /** The execution count of the output it was read from. */
  executionCount?: number | null;
  /** ISO time it was read. */
  readAt: string;
}

/**
 * A hypothesis: a record with a falsification test whose verdict comes from the data.
 */
export interface IHypothesis {
  /** A short stable id ("h-3f9a1c"). */
  id: string;
  statement: string;
  /** DiscoveryBench's split: the context (population, conditions), variables, relationship. */
  context: string;
  variables: string[];
  relationship: string;
  h0: string;
  h1: string;
  test: IHypothesisTest;
  rationale: string;
  assumptions: string[];
  status: HypothesisStatus;
  evidence?: IHypothesisEvidence | null;
  /** The Markdown cell stating it and the code cell testing it, once accepted. */
  statementCellId?: string | null;
  testCellId?: string | null;
  /** The scientist's override of the computed status, with their note (kept). */
  override?: { status: HypothesisStatus; note: string; at: string } | null;
  /** Where it came from. */
  provenance: { model: string; requestId: string | null; toolUseId: string; createdAt: string };
  /** When it was last changed. */
  updatedAt: string;
}

/**
 * A hypothesis Claude proposed, as the scientist reviews it on its card.
 */
export interface IHypothesisProposal {
  /** The record as it would be stored if accepted. */
  readonly hypothesis: IHypothesis;
  readonly status: 'pending' | 'accepted' | 'rejected' | 'failed';
  readonly reason?: string;
}

/**
 * One row of the ledger: a hypothesis with its evidence judged across the family of tests run.
 */
export interface IHypothesisLedgerRow {
  hypothesis: IHypothesis;
  /** The raw p-value, or null when no test has reported one. */
  rawP: number | null;
  /** The p-value adjusted across the family (every test run in the notebook), or null. */
  adjustedP: number | null;
  /** The status from the raw p-value and the record's criteria (ignoring any override). */
  status: HypothesisStatus;
  /** The status from the adjusted p-value: the verdict to report. */
  correctedStatus: HypothesisStatus;
  /** What the ledger shows: the scientist's override, else the corrected verdict. */
  effectiveStatus: HypothesisStatus;
  /** Why the corrected verdict is what it is, in a short sentence. */
  reason: string;
}

/**
 * Multiple-testing corrections the ledger offers.
 */
export type CorrectionMethod = 'holm' | 'bh';

/**
 * The hypotheses of one notebook: proposals waiting for the scientist, and the ledger kept
 * in the notebook's metadata.
 */
export interface INotebookHypotheses {
  readonly proposals: ReadonlyArray<IHypothesisProposal>;
  /** The ledger rows under a correction. */
  rows(method: CorrectionMethod): IHypothesisLedgerRow[];
  /** Emitted when a proposal or the ledger changes. */
  readonly changed: ISignal<INotebookHypotheses, void>;
  /** Accept for testing: insert its statement and test cells (running the test only if asked). */
  accept(id: string, options?: { run?: boolean }): Promise<void>;
  reject(id: string, reason?: string): void;
  /** The scientist's verdict over the computed one, with a note that is kept. */
  override(id: string, status: HypothesisStatus, note: string): void;
  clearOverride(id: string): void;
  /** The ledger as a Markdown report citing the test cells. */
  report(method: CorrectionMethod): string;
  /** Insert the report as a Markdown cell at the end of the notebook (the scientist's click). */
  insertReport(method: CorrectionMethod): string | null;
  /** Save the report beside the notebook; resolves to the file's path. */
  saveReport(method: CorrectionMethod): Promise<string>;
  /** Show a cell of the notebook. */
  revealCell(cellId: string): void;
  /** Run a hypothesis' test cell (the scientist's click). */
  runTest(id: string): Promise<void>;
}
