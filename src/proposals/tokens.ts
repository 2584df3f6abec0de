/*
 * Public interfaces of proposals: changes Claude proposed and their queue.
 * No logic lives here.
 */
import type { IOutput } from '@jupyterlab/nbformat';
import type { ISignal } from '@lumino/signaling';
import type { IToolCallInfo, IToolResult } from '../agent/tokens';

/**
 * What a proposal does to the notebook.
 */
export type ProposalKind = 'insert' | 'replace' | 'delete' | 'run';

/**
 * Where a proposal stands.
 *
 * - `pending`: waiting for the scientist.
 * - `accepted`: applied to the notebook (or, for `run`, approved to run).
 * - `rejected`: the scientist said no; the notebook was not touched.
 * - `stale`: the notebook changed under it; Claude must propose again.
 * - `failed`: applying it went wrong.
 */
export type ProposalStatus = 'pending' | 'accepted' | 'rejected' | 'stale' | 'failed';

/**
 * One change Claude proposes, as it is stored and as the scientist reviews it.
 */
export interface IProposal {
  /** A UUID. */
  readonly id: string;
  readonly kind: ProposalKind;
  /** The Messages API `tool_use` id this proposal answers. */
  readonly toolUseId: string;
  /**
   * The target cell (replace/delete/run), or the anchor of an insert: the new cell goes
   * after it; `null` puts it at the top.
   */
  readonly cellId: string | null;
  /** The type of an inserted cell (a replace keeps its target's type). */
  readonly cellType: 'code' | 'markdown';
  /** The new source (insert/replace); `''` for delete/run. */
  readonly source: string;
  /** The target's source when proposed (replace/delete/run), for the diff and staleness. */
  readonly originalSource: string | null;
  readonly status: ProposalStatus;
  /** The scientist edited the source before accepting. */
  readonly edited: boolean;
  /** Why it was rejected, or why it is stale or failed. */
  readonly reason?: string;
  /** The cell that was inserted, replaced or deleted. */
  readonly appliedCellId?: string;
  /** The permission mode that applied it without asking (absent: the scientist decided). */
  readonly appliedBy?: 'acceptEdits' | 'runInNotebook';
  /** Why it asks in a mode that applies others at once ("deleting a cell always asks"). */
  readonly asksBecause?: string;
  /** The model that proposed it. */
  readonly model: string;
  /** The upstream request id of the answer that proposed it. */
  readonly requestId: string | null;
  /** ISO time it was proposed. */
  readonly createdAt: string;
}

/**
 * The proposals of one notebook, waiting for (or decided by) the scientist.
 */
export interface IProposalQueue {
  readonly proposals: ReadonlyArray<IProposal>;
  /**
   * Add a proposal; resolves with what the scientist decided, phrased for Claude. Throws
   * nothing: a malformed one resolves at once as an error.
   */
  propose(kind: ProposalKind, input: unknown, call: IToolCallInfo): Promise<IToolResult>;
  /** Emitted when a proposal is added or changes, or an undo becomes (un)available. */
  readonly changed: ISignal<IProposalQueue, void>;
  /** Apply it (with the scientist's edits), and run the cell if asked. */
  accept(id: string, options?: { source?: string; run?: boolean }): Promise<void>;
  /** Leave the notebook as it is; the reason goes back to Claude. */
  reject(id: string, reason?: string): void;
  canUndo(id: string): boolean;
  /** Restore the notebook as before the acceptance; returns why not, or null. */
  undo(id: string): string | null;
  /** The scientist stopped the answer: settle every proposal still waiting. */
  cancelPending(): void;
  /** The checkpoint taken before the latest task that changed the notebook without asking. */
  readonly checkpoint?: ICheckpoint | null;
  /** Bring back the whole notebook as at the checkpoint; returns why not, or null. */
  restoreCheckpoint?(): Promise<string | null>;
}

/**
 * A checkpoint of the notebook file (Jupyter's checkpoints), taken before a task in a mode that
 * changes the notebook without asking.
 */
export interface ICheckpoint {
  /** Jupyter's checkpoint id. */
  id: string;
  /** When it was taken (ISO time). */
  takenAt: string;
  /** When the scientist last restored it. */
  restoredAt?: string;
}

/**
 * How a cell ran: its outputs as Claude reads them.
 */
export interface IRunOutcome {
  ok: boolean;
  outputs: IOutput[];
  executionCount: number | null;
  /** Why it could not run (no kernel, dead kernel, cell gone). */
  message?: string;
}
