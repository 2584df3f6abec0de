/*
 * Apply an accepted proposal to a notebook, and undo it. The one place that changes a
 * notebook on Claude's behalf: by cell id, in one transaction, with provenance metadata.
 */
import type * as nbformat from '@jupyterlab/nbformat';
import type { INotebookModel } from '@jupyterlab/notebook';
import type { PartialJSONObject } from '@lumino/coreutils';
import { createProposal } from './model';
import type { IProposal, ProposalKind } from './tokens';
import { asOneUndoStep, type ISharedNotebook } from './undo';

type ISharedCell = ISharedNotebook['cells'][number];
type ISharedCodeCell = Extract<ISharedCell, { cell_type: 'code' }>;

/**
 * Provenance of a cell Claude wrote, kept in the cell's metadata under `claude`.
 */
export interface IProvenance extends PartialJSONObject {
  proposal_id: string;
  model: string;
  request_id: string | null;
  /** ISO time of the acceptance. */
  time: string;
  /** The scientist edited Claude's source before accepting. */
  edited: boolean;
  kind: Extract<ProposalKind, 'insert' | 'replace'>;
}

/**
 * What is needed to put the notebook back as it was before an acceptance.
 */
export interface IUndoRecord {
  readonly proposalId: string;
  readonly kind: Exclude<ProposalKind, 'run'>;
  /** The cell inserted, replaced or deleted. */
  readonly cellId: string;
  /** The source the cell had right after the acceptance (insert/replace). */
  readonly appliedSource: string | null;
  /** The whole cell as it was before (replace/delete). */
  readonly before: nbformat.ICell | null;
  /** Where a deleted cell was, and the id of the cell above it (null at the top). */
  readonly index: number;
  readonly previousCellId: string | null;
}

/**
 * The result of applying a proposal.
 */
export interface IApplied {
  /** The cell inserted, replaced or deleted. */
  cellId: string;
  undo: IUndoRecord;
}

/**
 * Whether a proposal still fits the notebook.
 */
export type StaleCheck = { ok: true } | { ok: false; reason: string };

/**
 * Actions on proposals, on JupyterLab's own notebook model.
 */
export namespace ProposalActions {
  /**
   * Make a proposal from a tool call against this notebook, reading the target cell's
   * current source (for the diff and for staleness). Throws, with a message fit for Claude,
   * when the input is malformed or the cell does not exist.
   */
  export function propose(
    notebook: INotebookModel,
    options: {
      toolUseId: string;
      input: unknown;
      kind?: ProposalKind;
      model: string;
      requestId: string | null;
      now?: Date;
    }
  ): IProposal {
    // Validate first so that a malformed call gets the precise message.
    const draft = createProposal({ ...options, originalSource: '' });
    if (draft.cellId === null) {
      return createProposal({ ...options, originalSource: null });
    }
    const cell = Private.findCell(notebook.sharedModel, draft.cellId);
    if (!cell) {
      throw new Error(
        `There is no cell with id ${JSON.stringify(draft.cellId)} in the notebook: read the outline again.`
      );
    }
    return createProposal({ ...options, originalSource: cell.cell.getSource() });
  }

  /**
   * Whether the proposal can still be applied: its target (or anchor) is found by id, and
   * a target's source is still the one Claude saw. An insert whose anchor moved is fine.
   */
  export function checkStale(notebook: INotebookModel, p: IProposal): StaleCheck {
    if (p.cellId === null) {
      return { ok: true };
    }
    const found = Private.findCell(notebook.sharedModel, p.cellId);
    if (!found) {
      return { ok: false, reason: 'The cell was deleted after Claude proposed this' };
    }
    if (p.kind !== 'insert' && found.cell.getSource() !== p.originalSource) {
      return {
        ok: false,
        reason: 'The cell was changed after Claude proposed this: re-propose'
      };
    }
    return { ok: true };
  }

  /**
   * Apply an accepted proposal, in one transaction (one step of JupyterLab's own undo).
   *
   * - insert: a new cell, with a new id, right after the anchor (or at the top);
   * - replace: the target keeps its id and type; its source is replaced, and a code cell's
   *   outputs and execution count are cleared, since they no longer match the source;
   * - delete: the target is removed.
   *
   * Inserted and replaced cells carry provenance under the `claude` metadata key.
   *
   * Throws when the proposal is not pending, is stale, or is a `run`: running a cell goes
   * through the kernel and is the caller's job once the scientist approves; nothing here
   * changes for it.
   */
  export function apply(
    notebook: INotebookModel,
    p: IProposal,
    options: {
      /** The scientist's edited source, if they edited Claude's. */
      source?: string;
      model: string;
      requestId: string | null;
      now?: Date;
    }
  ): IApplied {
    if (p.status !== 'pending') {
      throw new Error(`This proposal is ${p.status}, not pending`);
    }
    if (p.kind === 'run') {
      throw new Error('A run proposal is not applied to the notebook: run the cell once approved');
    }
    const check = checkStale(notebook, p);
    if (!check.ok) {
      throw new Error(check.reason);
    }
    const shared = notebook.sharedModel;
    const source = options.source ?? p.source;
    const provenance: IProvenance = {
      proposal_id: p.id,
      model: options.model,
      request_id: options.requestId,
      time: (options.now ?? new Date()).toISOString(),
      edited: options.source !== undefined && options.source !== p.source,
      kind: p.kind === 'insert' ? 'insert' : 'replace'
    };

    let record: IUndoRecord | null = null;
    asOneUndoStep(shared, () => {
      switch (p.kind) {
        case 'insert': {
          const index = p.cellId === null ? 0 : Private.findCell(shared, p.cellId)!.index + 1;
          const cell = shared.insertCell(index, { cell_type: p.cellType, source });
          cell.setMetadata('claude', provenance);
          record = Private.record(p, 'insert', cell.id, source, null, index, shared);
          break;
        }
        case 'replace': {
          const { cell, index } = Private.findCell(shared, p.cellId!)!;
          const before = cell.toJSON() as nbformat.ICell;
          cell.setSource(source);
          if (cell.cell_type === 'code') {
            const code = cell as ISharedCodeCell;
            code.setOutputs([]);
            code.execution_count = null;
          }
          cell.setMetadata('claude', provenance);
          record = Private.record(p, 'replace', cell.id, source, before, index, shared);
          break;
        }
        case 'delete': {
          const { cell, index } = Private.findCell(shared, p.cellId!)!;
          record = Private.record(p, 'delete', cell.id, null, cell.toJSON() as nbformat.ICell, index, shared);
          shared.deleteCell(index);
          break;
        }
      }
    });
    const done = record as unknown as IUndoRecord;
    return { cellId: done.cellId, undo: done };
  }

  /**
   * Whether an acceptance can still be undone exactly. It cannot when the cell it wrote
   * was deleted or edited since (undoing would throw away the scientist's later work), or
   * when a deleted cell is back already (JupyterLab's own undo restored it).
   */
  export function canUndo(notebook: INotebookModel, record: IUndoRecord): StaleCheck {
    const found = Private.findCell(notebook.sharedModel, record.cellId);
    if (record.kind === 'delete') {
      return found ? { ok: false, reason: 'The deleted cell is already back in the notebook' } : { ok: true };
    }
    if (!found) {
      return { ok: false, reason: 'The cell Claude wrote is no longer in the notebook' };
    }
    if (found.cell.getSource() !== record.appliedSource) {
      return {
        ok: false,
        reason: 'The cell was edited after it was accepted: undo those edits in the notebook first'
      };
    }
    return { ok: true };
  }

  /**
   * Put the notebook back as it was before the acceptance, in one transaction: remove an
   * inserted cell; restore a replaced cell's source, metadata, outputs and execution count
   * (in place, so it keeps its id and widget); re-insert a deleted cell where it was, with
   * its id, source, metadata and outputs. Throws when `canUndo` says no.
   */
  export function undo(notebook: INotebookModel, record: IUndoRecord): void {
    const check = canUndo(notebook, record);
    if (!check.ok) {
      throw new Error(check.reason);
    }
    const shared = notebook.sharedModel;
    asOneUndoStep(shared, () => {
      switch (record.kind) {
        case 'insert': {
          shared.deleteCell(Private.findCell(shared, record.cellId)!.index);
          break;
        }
        case 'replace': {
          const { cell } = Private.findCell(shared, record.cellId)!;
          const before = record.before!;
          cell.setSource(Private.sourceOf(before));
          Private.restoreMetadata(cell, before.metadata as PartialJSONObject);
          if (cell.cell_type === 'code') {
            const code = cell as ISharedCodeCell;
            const old = before as nbformat.ICodeCell;
            code.setOutputs(old.outputs ?? []);
            code.execution_count = old.execution_count ?? null;
          }
          break;
        }
        case 'delete': {
          shared.insertCell(Private.reinsertIndex(shared, record), record.before!);
          break;
        }
      }
    });
  }
}

namespace Private {
  export function findCell(shared: ISharedNotebook, id: string): { cell: ISharedCell; index: number } | null {
    const index = shared.cells.findIndex(c => c.id === id);
    return index === -1 ? null : { cell: shared.cells[index], index };
  }

  export function record(
    p: IProposal,
    kind: IUndoRecord['kind'],
    cellId: string,
    appliedSource: string | null,
    before: nbformat.ICell | null,
    index: number,
    shared: ISharedNotebook
  ): IUndoRecord {
    const previous = kind === 'delete' && index > 0 ? shared.cells[index - 1].id : null;
    return { proposalId: p.id, kind, cellId, appliedSource, before, index, previousCellId: previous };
  }

  export function sourceOf(cell: nbformat.ICell): string {
    return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
  }

  /**
   * Put back a cell's metadata key by key, so untouched keys keep their place and the
   * notebook's JSON comes out identical.
   */
  export function restoreMetadata(cell: ISharedCell, before: PartialJSONObject): void {
    const now = cell.getMetadata();
    for (const key of Object.keys(now)) {
      if (!(key in before)) {
        cell.deleteMetadata(key);
      }
    }
    for (const [key, value] of Object.entries(before)) {
      if (value !== undefined) {
        cell.setMetadata(key, value);
      }
    }
  }

  /**
   * Where a deleted cell goes back: under the cell that was above it if that one is still
   * there, else at its old index (within bounds).
   */
  export function reinsertIndex(shared: ISharedNotebook, record: IUndoRecord): number {
    if (record.index === 0) {
      return 0;
    }
    const above = record.previousCellId ? findCell(shared, record.previousCellId) : null;
    if (above) {
      return above.index + 1;
    }
    return Math.min(record.index, shared.cells.length);
  }
}
