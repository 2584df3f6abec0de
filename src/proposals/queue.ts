/*
 * Proposals of one notebook: what Claude asked to change, waiting for the scientist.
 * A proposal's tool call is answered only when the scientist accepts (optionally running the
 * cell) or rejects it; nothing changes in the notebook or runs in the kernel before that.
 */
import type { INotebookModel } from '@jupyterlab/notebook';
import { Signal } from '@lumino/signaling';
import { summariseOutput } from '../context/outputs';
import { appliesWithoutAsking } from '../agent/modes';
import type { IToolCallInfo, IToolResult } from '../agent/tokens';
import { ProposalActions, type IUndoRecord } from './actions';
import { ProposalList } from './model';
import type { ICheckpoint, IProposal, IProposalQueue, IRunOutcome, ProposalKind } from './tokens';

/**
 * The proposals of one notebook and what the scientist did with them.
 */
export class NotebookProposals implements IProposalQueue {
  constructor(options: NotebookProposals.IOptions) {
    this._notebook = options.notebook;
    this._runCell = options.runCell;
    this._checkpoints = options.checkpoints ?? null;
    this.list.changed.connect(() => this._changed.emit(), this);
  }

  readonly list = new ProposalList();

  get proposals(): ReadonlyArray<IProposal> {
    return this.list.all;
  }

  get changed(): Signal<this, void> {
    return this._changed;
  }

  /**
   * Add a proposal from a tool call; resolves with the tool result once the scientist acts,
   * or at once where the conversation's permission mode applies it without asking.
   */
  propose(kind: ProposalKind, input: unknown, meta: IToolCallInfo): Promise<IToolResult> {
    const notebook = this._notebook();
    if (!notebook) {
      return Promise.resolve({ content: 'The notebook is closed.', isError: true });
    }
    let proposal: IProposal;
    try {
      const { toolUseId, model, requestId } = meta;
      proposal = ProposalActions.propose(notebook, { toolUseId, model, requestId, input, kind });
    } catch (error) {
      return Promise.resolve({ content: (error as Error).message, isError: true });
    }
    const mode = meta.mode ?? 'ask';
    const decision = appliesWithoutAsking(mode, {
      kind,
      source: kind === 'run' ? (proposal.originalSource ?? '') : proposal.source,
      outsideContent: meta.task?.outsideContent ?? false
    });
    return new Promise<IToolResult>(resolve => {
      this._waiting.set(proposal.id, resolve);
      this.list.add(decision.reason ? { ...proposal, asksBecause: decision.reason } : proposal);
      if (decision.applies && (mode === 'acceptEdits' || mode === 'runInNotebook')) {
        // The mode the scientist chose applies it now, recorded and undoable like an Accept,
        // after a checkpoint of the whole notebook (once per task). Without one, it asks.
        void this._checkpointFor(meta.task ?? null).then(failure => {
          if (failure) {
            this.list.update(proposal.id, { asksBecause: failure });
            this._changed.emit();
          } else {
            void this.accept(proposal.id, { appliedBy: mode });
          }
        });
      }
    });
  }

  /**
   * The checkpoint taken before the latest task that changed the notebook without asking.
   */
  get checkpoint(): ICheckpoint | null {
    return this._checkpoint;
  }

  /**
   * Bring back the whole notebook as it was at the checkpoint; the cards stay. Returns why
   * not, or null.
   */
  async restoreCheckpoint(): Promise<string | null> {
    const checkpoint = this._checkpoint;
    if (!checkpoint || !this._checkpoints) {
      return 'There is no checkpoint to restore.';
    }
    try {
      await this._checkpoints.restore(checkpoint.id);
    } catch (error) {
      return (error as Error).message || String(error);
    }
    // Undo records refer to the notebook as it was after each change: they no longer apply.
    this._undo.clear();
    this._checkpoint = { ...checkpoint, restoredAt: new Date().toISOString() };
    this._changed.emit();
    return null;
  }

  /**
   * Accept a proposal: apply it (with the scientist's edits), then run the cell if asked.
   */
  async accept(
    id: string,
    options: { source?: string; run?: boolean; appliedBy?: 'acceptEdits' | 'runInNotebook' } = {}
  ): Promise<void> {
    const proposal = this.list.get(id);
    const notebook = this._notebook();
    if (!proposal || proposal.status !== 'pending') {
      return;
    }
    if (!notebook) {
      this._settle(id, 'failed', 'The notebook is closed.', { content: 'The notebook was closed.', isError: true });
      return;
    }
    const stale = ProposalActions.checkStale(notebook, proposal);
    if (!stale.ok) {
      this._settle(id, 'stale', stale.reason, {
        content: `Not applied: ${stale.reason}. Read the cell again and propose against it as it is now.`,
        isError: true
      });
      return;
    }
    let cellId = proposal.cellId ?? '';
    const edited = options.source !== undefined && options.source !== proposal.source;
    if (proposal.kind !== 'run') {
      try {
        const applied = ProposalActions.apply(notebook, proposal, {
          source: edited ? options.source : undefined,
          model: proposal.model,
          requestId: proposal.requestId
        });
        cellId = applied.cellId;
        this._undo.set(id, applied.undo);
      } catch (error) {
        this._settle(id, 'failed', (error as Error).message, { content: (error as Error).message, isError: true });
        return;
      }
    }
    const appliedBy = options.appliedBy;
    this.list.update(id, { status: 'accepted', edited, appliedCellId: cellId, ...(appliedBy ? { appliedBy } : {}) });
    this._changed.emit();
    const lines = [
      appliedBy ? Private.appliedLine(proposal, cellId, appliedBy) : Private.acceptedLine(proposal, cellId, edited)
    ];
    if (edited) {
      lines.push('The source as the scientist edited it:', '```', options.source ?? '', '```');
    }
    if (options.run || proposal.kind === 'run') {
      const outcome = await this._runCell(cellId);
      lines.push(Private.describeRun(outcome));
    } else {
      lines.push('It was not run.');
    }
    this._resolve(id, { content: lines.join('\n') });
  }

  /**
   * Reject a proposal; the notebook stays exactly as it is.
   */
  reject(id: string, reason = ''): void {
    const proposal = this.list.get(id);
    if (!proposal || proposal.status !== 'pending') {
      return;
    }
    const why = reason.trim();
    this._settle(id, 'rejected', why || undefined, {
      content: `The scientist rejected this proposal; nothing changed.${why ? ` Their reason: ${why}` : ''}`
    });
  }

  /**
   * Reject every proposal still waiting (the scientist stopped the answer).
   */
  cancelPending(): void {
    for (const proposal of this.list.pending()) {
      this._settle(proposal.id, 'rejected', 'stopped', {
        content: 'The scientist stopped the answer before deciding; nothing changed.'
      });
    }
  }

  /**
   * Whether an accepted proposal can be undone now.
   */
  canUndo(id: string): boolean {
    const record = this._undo.get(id);
    const notebook = this._notebook();
    return !!record && !!notebook && ProposalActions.canUndo(notebook, record).ok;
  }

  /**
   * Restore the notebook exactly as it was before the proposal was accepted.
   */
  undo(id: string): string | null {
    const record = this._undo.get(id);
    const notebook = this._notebook();
    if (!record || !notebook) {
      return 'Nothing to undo.';
    }
    const check = ProposalActions.canUndo(notebook, record);
    if (!check.ok) {
      return check.reason;
    }
    ProposalActions.undo(notebook, record);
    this._undo.delete(id);
    this._changed.emit();
    return null;
  }

  private _settle(
    id: string,
    status: 'rejected' | 'stale' | 'failed',
    reason: string | undefined,
    result: IToolResult
  ): void {
    this.list.update(id, { status, reason });
    this._resolve(id, result);
  }

  private _resolve(id: string, result: IToolResult): void {
    const resolve = this._waiting.get(id);
    this._waiting.delete(id);
    resolve?.(result);
  }

  /**
   * Take a checkpoint before the first change a task makes without asking; resolves with why
   * it could not be taken (then the change asks), or null.
   */
  private _checkpointFor(task: object | null): Promise<string | null> {
    if (!this._checkpoints) {
      return Promise.resolve(null);
    }
    const key = task ?? this;
    if (this._checkpointing && this._checkpointKey === key) {
      return this._checkpointing;
    }
    this._checkpointKey = key;
    this._checkpointing = this._checkpoints.create().then(
      created => {
        this._checkpoint = { id: created.id, takenAt: created.takenAt };
        this._changed.emit();
        return null;
      },
      error => {
        this._checkpointing = null;
        this._checkpointKey = null;
        return `a checkpoint of the notebook could not be taken first (${(error as Error).message || error})`;
      }
    );
    return this._checkpointing;
  }

  private _notebook: () => INotebookModel | null;
  private _checkpoints: NotebookProposals.ICheckpoints | null;
  private _checkpoint: ICheckpoint | null = null;
  private _checkpointing: Promise<string | null> | null = null;
  private _checkpointKey: object | null = null;
  private _runCell: (cellId: string) => Promise<IRunOutcome>;
  private _waiting = new Map<string, (result: IToolResult) => void>();
  private _undo = new Map<string, IUndoRecord>();
  private _changed = new Signal<this, void>(this);
}

export namespace NotebookProposals {
  export interface IOptions {
    notebook: () => INotebookModel | null;
    /** Run a cell in the kernel (only ever after the scientist's click). */
    runCell: (cellId: string) => Promise<IRunOutcome>;
    /** Jupyter's checkpoints of the notebook file (none: changes made without asking are not checkpointed). */
    checkpoints?: ICheckpoints;
  }

  /**
   * Checkpoints of the notebook: `create` saves it and checkpoints the file; `restore` puts the
   * file back and reloads the notebook from it.
   */
  export interface ICheckpoints {
    create(): Promise<{ id: string; takenAt: string }>;
    restore(id: string): Promise<void>;
  }
}

namespace Private {
  export function appliedLine(p: IProposal, cellId: string, mode: 'acceptEdits' | 'runInNotebook'): string {
    const how = mode === 'acceptEdits' ? 'Accept edits' : 'Run in this notebook';
    switch (p.kind) {
      case 'run':
        return `Ran cell id=${cellId} without asking (the scientist chose "${how}").`;
      case 'insert':
        return `Applied without asking (the scientist chose "${how}"; they can undo it): a new ${p.cellType} cell was inserted (id=${cellId}).`;
      default:
        return `Applied without asking (the scientist chose "${how}"; they can undo it): the source of cell id=${cellId} was replaced.`;
    }
  }

  export function acceptedLine(p: IProposal, cellId: string, edited: boolean): string {
    const how = edited ? ' after the scientist edited it' : '';
    switch (p.kind) {
      case 'insert':
        return `The scientist accepted${how}: a new ${p.cellType} cell was inserted (id=${cellId}).`;
      case 'replace':
        return `The scientist accepted${how}: the source of cell id=${cellId} was replaced.`;
      case 'delete':
        return `The scientist accepted: cell id=${p.cellId} was deleted.`;
      case 'run':
        return `The scientist approved running cell id=${cellId}.`;
    }
  }

  export function describeRun(outcome: IRunOutcome): string {
    if (!outcome.ok && outcome.message) {
      return `It could not run: ${outcome.message}`;
    }
    const parts = [`It ran (In[${outcome.executionCount ?? ' '}]).`];
    if (!outcome.outputs.length) {
      parts.push('No output.');
    }
    outcome.outputs.forEach((output, i) => {
      parts.push(`Output ${i}:`, summariseOutput(output, 1500).text);
    });
    return parts.join('\n');
  }
}
