/*
 * The hypotheses of one notebook, kept in its metadata under `claude.hypotheses` as an object
 * keyed by id (so two people's hypotheses merge cleanly in git and nbdime), and kept up to
 * date with the test cells' outputs.
 */
import type { ICellModel, ICodeCellModel } from '@jupyterlab/cells';
import type * as nbformat from '@jupyterlab/nbformat';
import type { INotebookModel } from '@jupyterlab/notebook';
import type { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';
import type { HypothesisStatus, IHypothesis, IHypothesisEvidence } from './tokens';
import { readEvidence } from './result';
import { computeStatus } from './status';

type IOutputAreaModel = ICodeCellModel['outputs'];

/**
 * The notebook metadata key, and the key under it, where hypotheses live.
 */
export const HYPOTHESES_METADATA_KEY = 'claude';
export const HYPOTHESES_FIELD = 'hypotheses';

/**
 * What may change about a hypothesis after it was made.
 */
export type HypothesisPatch = Partial<Omit<IHypothesis, 'id' | 'provenance' | 'updatedAt'>>;

/**
 * The hypothesis ledger of one notebook.
 *
 * The status is derived: every change recomputes it with `computeStatus` from the record's
 * evidence (the scientist's disagreement goes in `override`, which is kept and shown). When
 * a linked test cell's outputs change, its evidence is read again; outputs that hold no
 * result (cleared, or a run still going) keep the last evidence read. Links to cells follow
 * undo, redo and cut and paste (see `_relink`).
 */
export class HypothesisLedger implements IDisposable {
  constructor(notebook: INotebookModel, options: { now?: () => Date } = {}) {
    this._notebook = notebook;
    this._now = options.now ?? (() => new Date());
    this._records = Private.read(notebook);
    notebook.metadataChanged.connect(this._onMetadataChanged, this);
    notebook.cells.changed.connect(this._onCellsChanged, this);
    this._watchCells();
  }

  /**
   * The notebook this ledger belongs to.
   */
  get notebook(): INotebookModel {
    return this._notebook;
  }

  /**
   * Emitted whenever a hypothesis is added, changed or removed, here or elsewhere.
   */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /**
   * All hypotheses, oldest first.
   */
  get hypotheses(): IHypothesis[] {
    return [...this._records.values()].sort(
      (a, b) => a.provenance.createdAt.localeCompare(b.provenance.createdAt) || a.id.localeCompare(b.id)
    );
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  get(id: string): IHypothesis | undefined {
    return this._records.get(id);
  }

  /**
   * Add a new hypothesis. Throws if one with that id exists.
   */
  add(h: IHypothesis): IHypothesis {
    if (this._records.has(h.id)) {
      throw new Error(`A hypothesis with id ${h.id} already exists`);
    }
    const stored = Private.copy(h);
    this._write(stored.id, stored);
    return stored;
  }

  /**
   * Change a hypothesis and recompute its status. Throws on an unknown id.
   */
  update(id: string, patch: HypothesisPatch): IHypothesis {
    const current = this._require(id);
    const updatedAt = this._now().toISOString();
    const next: IHypothesis = Private.copy({ ...current, ...patch, id, updatedAt });
    next.status = computeStatus(next, next.evidence);
    this._write(id, next);
    return next;
  }

  /**
   * Record the scientist's verdict, which wins over the computed status for display.
   */
  setOverride(id: string, status: HypothesisStatus, note: string): IHypothesis {
    return this.update(id, { override: { status, note, at: this._now().toISOString() } });
  }

  clearOverride(id: string): IHypothesis {
    return this.update(id, { override: null });
  }

  /**
   * Remove a hypothesis from the notebook (its cells stay).
   */
  remove(id: string): void {
    this._require(id);
    this._write(id, null);
  }

  /**
   * Link the cells that state and test a hypothesis, reading the test cell's result if it
   * already has one.
   */
  linkCells(id: string, statementCellId: string | null, testCellId: string | null): IHypothesis {
    const patch: HypothesisPatch = { statementCellId, testCellId };
    const cell = testCellId ? this._findCodeCell(testCellId) : null;
    const evidence = cell ? this._readCell(cell, id) : null;
    if (evidence) {
      patch.evidence = evidence;
    }
    return this.update(id, patch);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._notebook.metadataChanged.disconnect(this._onMetadataChanged, this);
    this._notebook.cells.changed.disconnect(this._onCellsChanged, this);
    for (const [outputs, cell] of this._watched) {
      outputs.changed.disconnect(this._onOutputsChanged, this);
      cell.stateChanged.disconnect(this._onCellStateChanged, this);
    }
    this._watched.clear();
    Signal.clearData(this);
  }

  private _require(id: string): IHypothesis {
    const current = this._records.get(id);
    if (!current) {
      throw new Error(`No hypothesis with id ${id}`);
    }
    return current;
  }

  /**
   * Write one record (or remove it, with null) into the metadata, keeping every other key
   * under `claude` and every other entry as it is in the notebook now.
   */
  private _write(id: string, record: IHypothesis | null): void {
    const claude = Private.asObject(this._notebook.getMetadata(HYPOTHESES_METADATA_KEY)) ?? {};
    const stored = { ...(Private.asObject(claude[HYPOTHESES_FIELD]) ?? {}) };
    if (record) {
      stored[id] = Private.toJSON(record);
      this._records.set(id, record);
    } else {
      delete stored[id];
      this._records.delete(id);
    }
    this._writing = true;
    try {
      this._notebook.setMetadata(HYPOTHESES_METADATA_KEY, { ...claude, [HYPOTHESES_FIELD]: stored });
    } finally {
      this._writing = false;
    }
    this._changed.emit();
  }

  /**
   * Someone else changed the metadata (a collaborator, a reload, a revert): read it again.
   */
  private _onMetadataChanged(sender: INotebookModel, change: { key: string }): void {
    if (this._writing || change.key !== HYPOTHESES_METADATA_KEY) {
      return;
    }
    const next = Private.read(this._notebook);
    if (Private.same(next, this._records)) {
      return;
    }
    this._records = next;
    this._changed.emit();
  }

  private _onCellsChanged(): void {
    this._watchCells();
    this._relink();
  }

  /**
   * Keep the links to cells true when cells go and come back (undo, redo, cut and paste): a
   * linked cell that is gone is looked for by its provenance (`claude.hypothesis_id` and
   * `kind`); an accepted hypothesis with no result whose cells are all gone is proposed
   * again, and a proposed one whose cells come back is accepted again.
   */
  private _relink(): void {
    const cells = this._cellsById();
    for (const h of [...this._records.values()]) {
      if (h.status === 'retired') {
        continue;
      }
      const find = (id: string | null | undefined, kind: string): string | null => {
        if (id && cells.has(id)) {
          return id;
        }
        for (const [cellId, cell] of cells) {
          const claude = Private.asObject(cell.getMetadata(HYPOTHESES_METADATA_KEY));
          if (claude?.hypothesis_id === h.id && claude?.kind === kind) {
            return cellId;
          }
        }
        return null;
      };
      const foundStatement = find(h.statementCellId, 'hypothesis-statement');
      const foundTest = find(h.testCellId, 'hypothesis-test');
      if (!foundStatement && !foundTest) {
        if ((h.statementCellId || h.testCellId) && h.status === 'accepted' && !h.evidence) {
          this.update(h.id, { statementCellId: null, testCellId: null, status: 'proposed' });
        }
        continue;
      }
      // A link that cannot be found is kept: it says where the cell was.
      const statementCellId = foundStatement ?? h.statementCellId ?? null;
      const testCellId = foundTest ?? h.testCellId ?? null;
      if (statementCellId !== (h.statementCellId ?? null) || testCellId !== (h.testCellId ?? null)) {
        this.update(h.id, {
          statementCellId,
          testCellId,
          ...(h.status === 'proposed' && foundTest ? { status: 'accepted' as const } : {})
        });
        const test = foundTest ? this._findCodeCell(foundTest) : null;
        if (test) {
          this._refreshEvidence(test);
        }
      }
    }
  }

  private _cellsById(): Map<string, ICellModel> {
    const byId = new Map<string, ICellModel>();
    const cells = this._notebook.cells;
    for (let i = 0; i < cells.length; i++) {
      byId.set(cells.get(i).id, cells.get(i));
    }
    return byId;
  }

  /**
   * Follow the outputs and execution count of every code cell.
   */
  private _watchCells(): void {
    const present = new Set<IOutputAreaModel>();
    const cells = this._notebook.cells;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells.get(i);
      if (cell.type !== 'code') {
        continue;
      }
      const code = cell as ICodeCellModel;
      present.add(code.outputs);
      if (!this._watched.has(code.outputs)) {
        this._watched.set(code.outputs, code);
        code.outputs.changed.connect(this._onOutputsChanged, this);
        code.stateChanged.connect(this._onCellStateChanged, this);
      }
    }
    for (const [outputs, cell] of [...this._watched]) {
      if (!present.has(outputs)) {
        outputs.changed.disconnect(this._onOutputsChanged, this);
        cell.stateChanged.disconnect(this._onCellStateChanged, this);
        this._watched.delete(outputs);
      }
    }
  }

  private _onOutputsChanged(outputs: IOutputAreaModel): void {
    const cell = this._watched.get(outputs);
    if (cell) {
      this._refreshEvidence(cell);
    }
  }

  private _onCellStateChanged(cell: ICellModel, change: { name: string }): void {
    if (change.name === 'executionCount') {
      this._refreshEvidence(cell as ICodeCellModel);
    }
  }

  /**
   * Read the result of every hypothesis this cell tests; write back those that changed.
   */
  private _refreshEvidence(cell: ICodeCellModel): void {
    for (const h of this._records.values()) {
      if (h.testCellId !== cell.id) {
        continue;
      }
      const evidence = this._readCell(cell, h.id);
      if (evidence && !Private.sameEvidence(evidence, h.evidence)) {
        this.update(h.id, { evidence });
      }
    }
  }

  private _readCell(cell: ICodeCellModel, id: string): IHypothesisEvidence | null {
    const outputs = cell.outputs.toJSON() as nbformat.IOutput[];
    return readEvidence(outputs, id, cell.executionCount, this._now());
  }

  private _findCodeCell(id: string): ICodeCellModel | null {
    const cells = this._notebook.cells;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells.get(i);
      if (cell.id === id && cell.type === 'code') {
        return cell as ICodeCellModel;
      }
    }
    return null;
  }

  private _notebook: INotebookModel;
  private _now: () => Date;
  private _records: Map<string, IHypothesis>;
  private _watched = new Map<IOutputAreaModel, ICodeCellModel>();
  private _writing = false;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

namespace Private {
  export function asObject(value: unknown): Record<string, any> | null {
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, any>) : null;
  }

  /**
   * The hypotheses in the notebook's metadata; entries that are not hypotheses are skipped
   * here (and left in the file).
   */
  export function read(notebook: INotebookModel): Map<string, IHypothesis> {
    const records = new Map<string, IHypothesis>();
    const claude = asObject(notebook.getMetadata(HYPOTHESES_METADATA_KEY));
    const stored = asObject(claude?.[HYPOTHESES_FIELD]) ?? {};
    for (const [id, value] of Object.entries(stored)) {
      const h = asObject(value);
      if (
        h &&
        typeof h.statement === 'string' &&
        asObject(h.test) &&
        typeof h.status === 'string' &&
        asObject(h.provenance) &&
        typeof h.provenance.createdAt === 'string'
      ) {
        records.set(id, copy({ ...(h as IHypothesis), id }));
      }
    }
    return records;
  }

  export function copy(h: IHypothesis): IHypothesis {
    return JSON.parse(JSON.stringify(h));
  }

  /**
   * The record as JSON (optional fields left undefined are dropped).
   */
  export function toJSON(h: IHypothesis): Record<string, unknown> {
    return JSON.parse(JSON.stringify(h));
  }

  export function same(a: Map<string, IHypothesis>, b: Map<string, IHypothesis>): boolean {
    if (a.size !== b.size) {
      return false;
    }
    for (const [id, h] of a) {
      const other = b.get(id);
      if (!other || JSON.stringify(h) !== JSON.stringify(other)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The same result, whenever it was read.
   */
  export function sameEvidence(a: IHypothesisEvidence, b: IHypothesisEvidence | null | undefined): boolean {
    if (!b) {
      return false;
    }
    return JSON.stringify({ ...a, readAt: '' }) === JSON.stringify({ ...b, readAt: '' });
  }
}
