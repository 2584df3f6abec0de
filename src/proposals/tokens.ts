/*
 * Public interfaces of proposals: changes Claude proposed and their queue.
 * No logic lives here.
 */
import type { ISignal } from '@lumino/signaling';
import type { IToolCallInfo, IToolResult } from '../agent/tokens';

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
  propose(kind: IProposalState['kind'], input: unknown, call: IToolCallInfo): Promise<IToolResult>;
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
