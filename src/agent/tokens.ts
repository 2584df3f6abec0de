/*
 * Public interfaces of Claude's tools: what a tool is, what it returns, and the registry
 * that holds them, with its Lumino token.
 * No logic lives here.
 */
import type { INotebookContent } from '@jupyterlab/nbformat';
import type { Kernel } from '@jupyterlab/services';
import { Token } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import type { INotebookHypotheses } from '../hypotheses/tokens';
import type { IVariableRequest, KernelVariableResult } from '../kernel/types';
import type { IProposalQueue } from '../proposals/tokens';

/**
 * What a tool returns to Claude.
 */
export interface IToolResult {
  content: string;
  isError?: boolean;
  /** Images that go back with the text (an MCP tool's plots), base64 without a data: prefix. */
  images?: IToolImage[];
}

/**
 * An image in a tool result, as the Messages API takes it.
 */
export interface IToolImage {
  mediaType: 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';
  data: string;
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
  /** The tools offered, in a permission mode (absent: 'ask'). */
  definitions(options?: { mode?: PermissionMode }): IToolDefinition[];
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
  /** The conversation's permission mode (absent: 'ask'). */
  mode?: PermissionMode;
  /** What the conversation's task has seen so far (the registry marks content from outside the notebook). */
  task?: IAgentTask;
  /** Change the conversation's permission mode (an approved plan leaves Plan mode); false when not allowed. */
  setMode?(mode: PermissionMode): boolean;
}

/**
 * What one conversation's work has taken in, kept across its answers.
 */
export interface IAgentTask {
  /** Content from outside the notebook (a file, an MCP result) entered the conversation. */
  outsideContent: boolean;
}

/**
 * What a tool does, which decides how it is approved:
 * - `read`: reads and changes nothing; answered at once.
 * - `write`: changes the notebook; offered only where the notebook has a proposal queue, and
 *   what it changes waits for the scientist's Accept.
 * - `run`: runs code in the kernel; as `write`.
 * - `external`: reaches outside the notebook (an MCP server); offered only where an approval
 *   function exists, and its handler runs only after the scientist approves the call.
 */
export type ToolKind = 'read' | 'write' | 'run' | 'external';

/**
 * Asks the scientist whether an external tool call may run; resolves true to run it, false
 * or `{ reason }` (the scientist's words, which go back to Claude) to refuse it.
 */
export type ToolApproval = (request: {
  tool: string;
  summary: string;
  input: unknown;
  call: IToolCallInfo;
}) => Promise<boolean | { reason: string }>;

/**
 * Where a notebook's external calls are approved (the MCP call cards): one approval function
 * per notebook, and a way to settle what still waits when the scientist stops the answer.
 */
export interface IToolApprovals {
  approvalFor(notebookPath: () => string): { approve: ToolApproval; cancelPending(): void };
}

/**
 * The approvals of external tool calls (provided by the MCP plugin).
 */
export const IToolApprovals = new Token<IToolApprovals>(
  'jupyterlab-claude:tool-approvals',
  'Where the scientist approves calls of external (MCP) tools.'
);

/**
 * A conversation's permission mode: what Claude may do without a click (see `modes.ts`).
 * - `ask`: every change and every run waits for the scientist (the default).
 * - `acceptEdits`: insertions and replacements apply at once, with provenance and undo; runs ask.
 * - `plan`: only reading and planning tools are offered.
 * - `runInNotebook`: edits apply and cells run without asking, for this conversation only.
 */
export type PermissionMode = 'ask' | 'acceptEdits' | 'plan' | 'runInNotebook';

/**
 * The permission mode of each conversation, the default for new ones, and the modes the
 * administrator allows.
 */
export interface IPermissionModes {
  /** The modes on offer ('ask' always). */
  readonly allowed: PermissionMode[];
  /** The default for new conversations. */
  readonly defaultMode: PermissionMode;
  /** A conversation's mode. */
  modeOf(conversationId: string): PermissionMode;
  /** Set a conversation's mode; false when the mode is not allowed. */
  setMode(conversationId: string, mode: PermissionMode): boolean;
  /** A conversation's mode, or the allowed modes, changed (`conversationId` null: any). */
  readonly changed: ISignal<IPermissionModes, { conversationId: string | null }>;
}

/**
 * The permission modes (provided by the modes plugin).
 */
export const IPermissionModes = new Token<IPermissionModes>(
  'jupyterlab-claude:permission-modes',
  'The permission mode of each conversation with Claude (Ask, Accept edits, Plan, Run in this notebook).'
);

/**
 * What the tools of one notebook work with.
 */
export interface IToolContext {
  /** The notebook as nbformat JSON, or null when it is closed. */
  notebook(): INotebookContent | null;
  /** The notebook's kernel, if any. */
  kernel(): Kernel.IKernelConnection | null | undefined;
  /** The notebook's folder, relative to the Jupyter root ('' for the root). */
  notebookDir(): string;
  /** The notebook's path, relative to the Jupyter root. */
  notebookPath?(): string;
  /** Summarise one variable of a kernel in depth (bounded, silent). */
  inspectVariable(
    kernel: Kernel.IKernelConnection | null | undefined,
    request: IVariableRequest
  ): Promise<KernelVariableResult>;
  /** GET a `claude/files/...` route of the Jupyter server; resolves to its JSON or throws with its message. */
  files(route: 'list' | 'head', params: Record<string, string>): Promise<any>;
  /** Where proposals wait for the scientist (none: write and run tools are not offered). */
  proposals?: IProposalQueue;
  /** The notebook's hypotheses (none: the hypothesis tools are not offered). */
  hypotheses?: INotebookHypotheses;
  /** The notebook's plans (none: the plan tools are not offered). */
  plans?: INotebookPlans;
  /** Asks the scientist about an external call (none: external tools are not offered). */
  approve?: ToolApproval;
  /** Settle the external calls still waiting for the scientist (the answer was stopped). */
  cancelApprovals?(): void;
}

/**
 * Where a plan stands: `proposed` waits for the scientist; `approved` is being carried out;
 * `stopped` was interrupted (the scientist pressed Stop; a later step done resumes it);
 * `done` has every step done; `rejected` and `replaced` (a later plan was approved) are over.
 */
export type PlanStatus = 'proposed' | 'approved' | 'stopped' | 'done' | 'rejected' | 'replaced';

/**
 * One step of a plan: what it is for, and the evidence it will produce.
 */
export interface IPlanStep {
  readonly id: string;
  readonly goal: string;
  readonly evidence: string;
  readonly status: 'pending' | 'done';
  /** The cell whose output shows the step done (set when Claude marks it done). */
  readonly cellId?: string;
  /** Claude's one-line account of what the cell shows. */
  readonly note?: string;
}

/**
 * A plan Claude proposed for a multi-step request.
 */
export interface IPlan {
  readonly id: string;
  readonly title: string;
  readonly steps: ReadonlyArray<IPlanStep>;
  readonly status: PlanStatus;
  /** The scientist changed the steps before approving. */
  readonly edited: boolean;
  /** Proposed in Plan mode: approving it leaves Plan mode for Ask. */
  readonly fromPlanMode: boolean;
  /** Why it was rejected (the scientist's words), if they gave a reason. */
  readonly reason?: string;
  readonly provenance: { model: string; requestId: string | null; toolUseId: string; createdAt: string };
}

/**
 * The plans of one notebook: proposed by Claude, edited and approved by the scientist, and
 * carried out step by step. A plan changes nothing in the notebook; its steps' changes are
 * proposals like any other.
 */
export interface INotebookPlans {
  readonly plans: ReadonlyArray<IPlan>;
  /** The plan being carried out (approved or stopped), if any. */
  readonly active: IPlan | null;
  /** Emitted when a plan is added or changes. */
  readonly changed: ISignal<INotebookPlans, void>;
  /** A `propose_plan` call: a card for the scientist; resolves with their decision. */
  propose(input: unknown, call: IToolCallInfo): Promise<IToolResult>;
  /** Change a proposed step's goal or evidence. */
  editStep(planId: string, stepId: string, patch: { goal?: string; evidence?: string }): void;
  /** Move a proposed step up (-1) or down (+1). */
  moveStep(planId: string, stepId: string, delta: -1 | 1): void;
  /** Remove a proposed step. */
  removeStep(planId: string, stepId: string): void;
  /** Add an empty step to a proposed plan, after another (default: at the end); returns its id. */
  addStep(planId: string, afterStepId?: string): string;
  /** Approve a proposed plan as it stands now. */
  approve(planId: string): void;
  /** Reject a proposed plan, with the scientist's reason. */
  reject(planId: string, reason?: string): void;
  /**
   * A `complete_plan_step` call: mark a step of the active plan done with the cell that shows
   * it (`cell` is what the notebook holds under that id, null when there is no such cell).
   */
  completeStep(
    input: { step: unknown; cellId: unknown; note?: unknown },
    cell: { label: string; cellType: string; executed: boolean; hasOutput: boolean } | null
  ): IToolResult;
  /** The scientist stopped the answer: a waiting plan is rejected, the active one stopped. */
  cancelPending(): void;
}

/**
 * What a tool's handler (and its `describe`) receives: the notebook's context and the call.
 */
export interface IToolCallContext extends IToolContext {
  /** The call's provenance (empty ids while only describing a call). */
  readonly call: IToolCallInfo;
  /** `#4` for a cell id of this notebook, or the id itself when there is no such cell. */
  cellLabel(cellId: string): string;
}

/**
 * A tool Claude may call: one object, registered by the capability it belongs to.
 */
export interface ITool extends IToolDefinition {
  /** What it does, which decides its approval (see `ToolKind`). */
  readonly kind: ToolKind;
  /** Whether this notebook can offer it beyond what its kind needs (e.g. it has hypotheses). */
  isAvailable?(context: IToolContext): boolean;
  /** A call in a few words, for the scientist ("Read cell #4"). */
  describe(input: Record<string, unknown>, context: IToolCallContext): string;
  /** Answer a call; a thrown error goes back to Claude as an error result. */
  handler(input: Record<string, unknown>, context: IToolCallContext): Promise<IToolResult>;
}

/**
 * Every tool Claude may call. Capabilities, MCP servers and skills register theirs here, at
 * start or at run time; a conversation gets the tools of its notebook from `toolsFor`.
 */
export interface IToolRegistry {
  /** Add a tool; dispose the result to remove it. A name already taken is refused (throws). */
  register(tool: ITool): IDisposable;
  /** The tools registered, in registration order. */
  readonly tools: ReadonlyArray<ITool>;
  /** Emitted when a tool is added or removed. */
  readonly changed: ISignal<IToolRegistry, IToolRegistry.IChange>;
  /**
   * The tools of one notebook, as a conversation calls them: what its context allows, with
   * the approval each kind needs, results bounded and redacted. Follows later registrations.
   */
  toolsFor(context: IToolContext): IClaudeTools;
  /**
   * Withhold the tools a rule matches from every notebook (the administrator's disabled tools);
   * dispose the result to lift it. Rules are read at every request.
   */
  withhold(rule: (tool: ITool) => boolean): IDisposable;
  /** Emitted when the scientist decided on a call that waited for them (write, run, external tools). */
  readonly decided: ISignal<IToolRegistry, IToolRegistry.IDecision>;
}

export namespace IToolRegistry {
  export interface IChange {
    type: 'added' | 'removed';
    tool: ITool;
  }

  /**
   * The scientist's decision on one tool call (for the audit log).
   */
  export interface IDecision {
    tool: string;
    kind: ToolKind;
    toolUseId: string;
    notebookPath: string;
    /** `edited`: accepted with the scientist's changes; `failed`: stale, or applying it failed. */
    decision: 'accepted' | 'rejected' | 'edited' | 'failed';
  }
}

/**
 * The tool registry.
 */
export const IToolRegistry = new Token<IToolRegistry>(
  'jupyterlab-claude:tool-registry',
  'Every tool Claude may call, with the approval its kind needs.'
);
