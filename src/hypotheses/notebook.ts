/*
 * Hypotheses of one notebook: what Claude proposed, waiting for the scientist, and the ledger
 * kept in the notebook's metadata. A proposed hypothesis touches nothing; accepting it inserts
 * its statement and test cells; its status comes only from its test cell's output.
 */
import type { INotebookModel } from '@jupyterlab/notebook';
import { Signal } from '@lumino/signaling';
import type { IToolCallInfo, IToolResult } from '../agent/tokens';
import type { IRunOutcome } from '../proposals/tokens';
import { asOneUndoStep } from '../proposals/undo';
import { HypothesisActions } from './actions';
import { buildLedger, correctionName, ledgerForClaude, ledgerToMarkdown } from './ledger';
import { HypothesisLedger } from './model';
import { createHypothesis, validateHypothesisInput } from './record';
import type {
  CorrectionMethod,
  HypothesisStatus,
  IHypothesis,
  IHypothesisLedgerRow,
  IHypothesisProposal,
  INotebookHypotheses
} from './tokens';

/**
 * The hypotheses of one notebook.
 */
export class NotebookHypotheses implements INotebookHypotheses {
  constructor(options: NotebookHypotheses.IOptions) {
    this._options = options;
  }

  get proposals(): ReadonlyArray<IHypothesisProposal> {
    return this._proposals;
  }

  get changed(): Signal<this, void> {
    return this._changed;
  }

  /**
   * The correction the ledger, its reports and Claude's reading use; kept for this notebook
   * while it is open (a reload starts again from Holm).
   */
  get correction(): CorrectionMethod {
    return this._correction;
  }

  set correction(method: CorrectionMethod) {
    if (method === this._correction) {
      return;
    }
    this._correction = method;
    this._correctionChanged.emit(method);
  }

  get correctionChanged(): Signal<this, CorrectionMethod> {
    return this._correctionChanged;
  }

  /**
   * The ledger of the notebook, bound on first use (null once the notebook is closed).
   */
  get ledger(): HypothesisLedger | null {
    const notebook = this._options.notebook();
    if (!notebook) {
      return null;
    }
    if (!this._ledger || this._ledgerOf !== notebook) {
      this._ledger?.changed.disconnect(this._emit, this);
      this._ledger?.dispose();
      this._ledger = new HypothesisLedger(notebook);
      this._ledgerOf = notebook;
      this._ledger.changed.connect(this._emit, this);
    }
    return this._ledger;
  }

  rows(method: CorrectionMethod = this._correction): IHypothesisLedgerRow[] {
    const ledger = this.ledger;
    return ledger ? buildLedger(ledger.hypotheses, method) : [];
  }

  /**
   * A `propose_hypothesis` call: a card for the scientist; resolves with their decision.
   */
  propose(input: unknown, call: IToolCallInfo): Promise<IToolResult> {
    if (!this._options.notebook()) {
      return Promise.resolve({ content: 'The notebook is closed.', isError: true });
    }
    const checked = validateHypothesisInput(input);
    if (!checked.ok) {
      return Promise.resolve({
        content: `Not a valid hypothesis: ${checked.error}. Propose it again with every required field.`,
        isError: true
      });
    }
    const hypothesis = createHypothesis(checked.value, {
      model: call.model,
      requestId: call.requestId,
      toolUseId: call.toolUseId,
      createdAt: new Date().toISOString()
    });
    const after = (input as { after_cell_id?: unknown }).after_cell_id;
    this._anchors.set(hypothesis.id, typeof after === 'string' ? after : null);
    return new Promise<IToolResult>(resolve => {
      this._waiting.set(hypothesis.id, resolve);
      this._proposals.push({ hypothesis, status: 'pending' });
      this._emit();
    });
  }

  /**
   * Accept a hypothesis for testing: record it and insert its cells; run the test if asked.
   */
  async accept(id: string, options: { run?: boolean } = {}): Promise<void> {
    const proposal = this._pending(id);
    const notebook = this._options.notebook();
    const ledger = this.ledger;
    if (!proposal) {
      return;
    }
    if (!notebook || !ledger) {
      this._settle(id, 'failed', 'The notebook is closed.', { content: 'The notebook was closed.', isError: true });
      return;
    }
    const anchor = this._anchor(notebook, id);
    let record: IHypothesis | undefined;
    try {
      ledger.add(proposal.hypothesis);
      HypothesisActions.acceptHypothesis(ledger, notebook, id, anchor, {
        model: proposal.hypothesis.provenance.model,
        requestId: proposal.hypothesis.provenance.requestId
      });
      record = ledger.get(id);
    } catch (error) {
      this._settle(id, 'failed', (error as Error).message, { content: (error as Error).message, isError: true });
      return;
    }
    this._update(id, { status: 'accepted', hypothesis: record ?? proposal.hypothesis });
    const lines = [
      `The scientist accepted hypothesis ${id} for testing. Its statement is Markdown cell id=${record?.statementCellId}, ` +
        `its test is code cell id=${record?.testCellId}.`
    ];
    if (options.run && record?.testCellId) {
      const outcome = await this._options.runCell(record.testCellId);
      lines.push(
        outcome.ok ? 'The scientist ran the test.' : `The test could not run: ${outcome.message ?? 'unknown reason'}.`
      );
      lines.push(this._verdictLine(id));
    } else {
      lines.push('The test has not run; the scientist decides when to run it. Its status will come from its result.');
    }
    this._resolve(id, { content: lines.join('\n') });
  }

  reject(id: string, reason = ''): void {
    if (!this._pending(id)) {
      return;
    }
    const why = reason.trim();
    this._settle(id, 'rejected', why || undefined, {
      content: `The scientist rejected hypothesis ${id}; nothing was recorded or inserted.${why ? ` Their reason: ${why}` : ''}`
    });
  }

  /**
   * Reject every hypothesis still waiting (the scientist stopped the answer).
   */
  cancelPending(): void {
    for (const proposal of this._proposals.filter(p => p.status === 'pending')) {
      this._settle(proposal.hypothesis.id, 'rejected', 'stopped', {
        content: 'The scientist stopped the answer before deciding; nothing was recorded.'
      });
    }
  }

  override(id: string, status: HypothesisStatus, note: string): void {
    this.ledger?.setOverride(id, status, note);
  }

  clearOverride(id: string): void {
    this.ledger?.clearOverride(id);
  }

  report(method: CorrectionMethod): string {
    return ledgerToMarkdown(this.rows(method), method, {
      notebookPath: this._options.notebookPath(),
      cellLabel: (cellId: string) => this._options.cellLabel(cellId)
    });
  }

  insertReport(method: CorrectionMethod): string | null {
    const notebook = this._options.notebook();
    if (!notebook) {
      return null;
    }
    const source = this.report(method);
    const shared = notebook.sharedModel;
    const cell = asOneUndoStep(shared, () =>
      shared.insertCell(shared.cells.length, {
        cell_type: 'markdown',
        source,
        metadata: { claude: { kind: 'hypothesis-report', correction: method, time: new Date().toISOString() } }
      })
    );
    return cell.id;
  }

  saveReport(method: CorrectionMethod): Promise<string> {
    return this._options.saveText(this._reportPath(), this.report(method));
  }

  revealCell(cellId: string): void {
    this._options.revealCell(cellId);
  }

  async runTest(id: string): Promise<void> {
    const cellId = this.ledger?.get(id)?.testCellId;
    if (cellId) {
      await this._options.runCell(cellId);
    }
  }

  /**
   * The `read_hypotheses` tool: the ledger as Claude reads it.
   */
  readForClaude(method: CorrectionMethod = this._correction): IToolResult {
    const rows = this.rows(method);
    if (!rows.length) {
      return { content: 'No hypotheses are recorded in this notebook yet.' };
    }
    return { content: ledgerForClaude(rows, method) };
  }

  dispose(): void {
    this._ledger?.changed.disconnect(this._emit, this);
    this._ledger?.dispose();
    this._ledger = null;
    Signal.clearData(this);
  }

  private _verdictLine(id: string): string {
    const method = this._correction;
    const row = this.rows(method).find(r => r.hypothesis.id === id);
    if (!row) {
      return '';
    }
    const evidence = row.hypothesis.evidence;
    if (evidence?.error) {
      return `The test cell failed (${evidence.error}); the hypothesis is not tested.`;
    }
    if (!evidence) {
      return 'No result was reported by the test cell.';
    }
    return `Computed status: ${row.status} (p = ${row.rawP ?? 'none'}); after ${correctionName(method)}'s correction across the notebook: ${row.correctedStatus}.`;
  }

  private _anchor(notebook: INotebookModel, id: string): string | null {
    const ids = new Set(notebook.sharedModel.cells.map(cell => cell.id));
    // Where Claude asked, else the end: hypotheses accepted one after another stay in order.
    const wanted = this._anchors.get(id);
    return wanted && ids.has(wanted) ? wanted : null;
  }

  private _reportPath(): string {
    const path = this._options.notebookPath();
    return path.replace(/\.ipynb$/i, '') + '-hypotheses.md';
  }

  private _pending(id: string): IHypothesisProposal | undefined {
    return this._proposals.find(p => p.hypothesis.id === id && p.status === 'pending');
  }

  private _update(id: string, patch: Partial<IHypothesisProposal>): void {
    this._proposals = this._proposals.map(p => (p.hypothesis.id === id ? { ...p, ...patch } : p));
    this._emit();
  }

  private _settle(id: string, status: 'rejected' | 'failed', reason: string | undefined, result: IToolResult): void {
    this._update(id, { status, reason });
    this._resolve(id, result);
  }

  private _resolve(id: string, result: IToolResult): void {
    const resolve = this._waiting.get(id);
    this._waiting.delete(id);
    this._anchors.delete(id);
    resolve?.(result);
  }

  private _emit(): void {
    this._changed.emit();
  }

  private _options: NotebookHypotheses.IOptions;
  private _proposals: IHypothesisProposal[] = [];
  private _waiting = new Map<string, (result: IToolResult) => void>();
  private _anchors = new Map<string, string | null>();
  private _ledger: HypothesisLedger | null = null;
  private _ledgerOf: INotebookModel | null = null;
  private _changed = new Signal<this, void>(this);
  private _correction: CorrectionMethod = 'holm';
  private _correctionChanged = new Signal<this, CorrectionMethod>(this);
}

export namespace NotebookHypotheses {
  export interface IOptions {
    notebook: () => INotebookModel | null;
    /** The notebook's path, relative to the Jupyter root. */
    notebookPath: () => string;
    cellLabel: (cellId: string) => string;
    /** Run a cell in the kernel (only ever after the scientist's click). */
    runCell: (cellId: string) => Promise<IRunOutcome>;
    revealCell: (cellId: string) => void;
    /** Save a text file under the Jupyter root; resolves to its path. */
    saveText: (path: string, text: string) => Promise<string>;
  }
}
