import type { NotebookModel } from '@jupyterlab/notebook';
import { ProposalActions } from '../actions';
import { ProposalList } from '../model';
import type { IProposal } from '../tokens';
import { analysisNotebook, exampleNotebook, ids, loadModel, saved } from './fixtures';

const by = { model: 'claude-sonnet-4-5', requestId: 'req_011CQ' };
const acceptedAt = new Date('2025-05-01T10:30:00Z');

function propose(notebook: NotebookModel, input: Record<string, unknown>): IProposal {
  return ProposalActions.propose(notebook, { toolUseId: 'toolu_01', input, ...by });
}

function cell(notebook: NotebookModel, id: string) {
  const found = notebook.sharedModel.cells.find(c => c.id === id);
  if (!found) {
    throw new Error(`no cell ${id}`);
  }
  return found.toJSON() as any;
}

const fixedPlot = "raw.plot.scatter(x='income', y='spend')";

describe('ProposalActions.propose', () => {
  it('records the source the target has now, for the diff', () => {
    const notebook = loadModel();
    const p = propose(notebook, { kind: 'replace', cell_id: 'plot', source: fixedPlot });
    expect(p.originalSource).toBe("raw.plot.scatter(x='gdp', y='spend')");
  });

  it('tells Claude when the cell it names does not exist', () => {
    const notebook = loadModel();
    expect(() => propose(notebook, { kind: 'delete', cell_id: 'cell-7' })).toThrow(
      'There is no cell with id "cell-7" in the notebook: read the outline again.'
    );
  });
});

describe('ProposalActions.apply', () => {
  it('replaces the source of the cell with that id, with provenance, clearing its outputs', () => {
    const notebook = loadModel();
    const p = propose(notebook, { kind: 'replace', cell_id: 'plot', source: fixedPlot });
    const applied = ProposalActions.apply(notebook, p, { ...by, now: acceptedAt });

    expect(applied.cellId).toBe('plot');
    expect(ids(notebook)).toEqual(['intro', 'load', 'summary', 'notes', 'plot']);
    const plot = cell(notebook, 'plot');
    expect(plot.source).toBe(fixedPlot);
    expect(plot.cell_type).toBe('code');
    expect(plot.outputs).toEqual([]);
    expect(plot.execution_count).toBeNull();
    expect(plot.metadata.claude).toEqual({
      proposal_id: p.id,
      model: 'claude-sonnet-4-5',
      request_id: 'req_011CQ',
      time: '2025-05-01T10:30:00.000Z',
      edited: false,
      kind: 'replace'
    });
    // The other cells are untouched.
    expect(cell(notebook, 'summary').outputs).toHaveLength(2);
  });

  it('uses the source the scientist edited, and says so in the provenance', () => {
    const notebook = loadModel();
    const p = propose(notebook, { kind: 'replace', cell_id: 'plot', source: fixedPlot });
    const edited = "raw.plot.scatter(x='income', y='spend', logx=True)";
    ProposalActions.apply(notebook, p, { ...by, source: edited });
    expect(cell(notebook, 'plot').source).toBe(edited);
    expect(cell(notebook, 'plot').metadata.claude.edited).toBe(true);
  });

  it('keeps a replaced markdown cell a markdown cell', () => {
    const notebook = loadModel();
    const p = propose(notebook, { kind: 'replace', cell_id: 'notes', source: 'Spending rises with income.' });
    ProposalActions.apply(notebook, p, by);
    expect(cell(notebook, 'notes')).toMatchObject({ cell_type: 'markdown', source: 'Spending rises with income.' });
  });

  it('inserts a new cell right after its anchor, with a new id and provenance', () => {
    const notebook = loadModel();
    const p = propose(notebook, { kind: 'insert', cell_id: 'load', cell_type: 'markdown', source: '## Clean up' });
    const applied = ProposalActions.apply(notebook, p, { ...by, now: acceptedAt });

    expect(ids(notebook)).toEqual(['intro', 'load', applied.cellId, 'summary', 'notes', 'plot']);
    expect(applied.cellId).not.toBe('load');
    const inserted = cell(notebook, applied.cellId);
    expect(inserted).toMatchObject({ cell_type: 'markdown', source: '## Clean up' });
    expect(inserted.metadata.claude).toMatchObject({ proposal_id: p.id, kind: 'insert', edited: false });
  });

  it('inserts at the top when there is no anchor', () => {
    const notebook = loadModel();
    const p = propose(notebook, { kind: 'insert', source: '%matplotlib inline' });
    const applied = ProposalActions.apply(notebook, p, by);
    expect(ids(notebook)[0]).toBe(applied.cellId);
    expect(cell(notebook, applied.cellId)).toMatchObject({ cell_type: 'code', outputs: [], execution_count: null });
  });

  it('inserts after the anchor even after the anchor was moved', () => {
    const notebook = loadModel();
    const p = propose(notebook, { kind: 'insert', cell_id: 'load', source: 'raw = raw.dropna()' });
    // The scientist drags "load" below "notes" before accepting.
    notebook.sharedModel.moveCell(1, 3);
    expect(ids(notebook)).toEqual(['intro', 'summary', 'notes', 'load', 'plot']);

    const applied = ProposalActions.apply(notebook, p, by);
    expect(ids(notebook)).toEqual(['intro', 'summary', 'notes', 'load', applied.cellId, 'plot']);
  });

  it('deletes the cell with that id', () => {
    const notebook = loadModel();
    const p = propose(notebook, { kind: 'delete', cell_id: 'summary' });
    ProposalActions.apply(notebook, p, by);
    expect(ids(notebook)).toEqual(['intro', 'load', 'notes', 'plot']);
  });

  it('refuses a proposal whose cell was deleted meanwhile, touching nothing', () => {
    const notebook = loadModel();
    const replace = propose(notebook, { kind: 'replace', cell_id: 'plot', source: fixedPlot });
    const insert = propose(notebook, { kind: 'insert', cell_id: 'plot', source: 'plt.show()' });
    notebook.sharedModel.deleteCell(4);
    const before = saved(notebook);

    const reason = 'The cell was deleted after Claude proposed this';
    expect(ProposalActions.checkStale(notebook, replace)).toEqual({ ok: false, reason });
    expect(ProposalActions.checkStale(notebook, insert)).toEqual({ ok: false, reason });
    expect(() => ProposalActions.apply(notebook, replace, by)).toThrow(reason);
    expect(() => ProposalActions.apply(notebook, insert, by)).toThrow(reason);
    expect(saved(notebook)).toBe(before);
  });

  it('refuses a replace whose target was changed meanwhile, touching nothing', () => {
    const notebook = loadModel();
    const p = propose(notebook, { kind: 'replace', cell_id: 'plot', source: fixedPlot });
    notebook.sharedModel.cells[4].setSource("raw.plot.scatter(x='gdp_pc', y='spend')");
    const before = saved(notebook);

    const reason = 'The cell was changed after Claude proposed this: re-propose';
    expect(ProposalActions.checkStale(notebook, p)).toEqual({ ok: false, reason });
    expect(() => ProposalActions.apply(notebook, p, by)).toThrow(reason);
    expect(saved(notebook)).toBe(before);
  });

  it('does not apply a run proposal: running goes through the kernel', () => {
    const notebook = loadModel();
    const p = propose(notebook, { kind: 'run', cell_id: 'summary' });
    expect(ProposalActions.checkStale(notebook, p)).toEqual({ ok: true });
    const before = saved(notebook);
    expect(() => ProposalActions.apply(notebook, p, by)).toThrow(
      'A run proposal is not applied to the notebook: run the cell once approved'
    );
    expect(saved(notebook)).toBe(before);
  });

  it('refuses a proposal that is no longer pending', () => {
    const notebook = loadModel();
    const p = propose(notebook, { kind: 'delete', cell_id: 'notes' });
    expect(() => ProposalActions.apply(notebook, { ...p, status: 'rejected' }, by)).toThrow(
      'This proposal is rejected, not pending'
    );
    expect(ids(notebook)).toContain('notes');
  });
});

describe('ProposalActions.undo', () => {
  it.each([
    ['delete', { kind: 'delete', cell_id: 'summary' }],
    ['delete of the first cell', { kind: 'delete', cell_id: 'intro' }],
    ['delete of the last cell', { kind: 'delete', cell_id: 'plot' }],
    ['replace of a code cell with outputs', { kind: 'replace', cell_id: 'summary', source: 'raw.info()' }],
    ['replace of a markdown cell', { kind: 'replace', cell_id: 'intro', source: '# Spending' }],
    ['insert', { kind: 'insert', cell_id: 'summary', source: 'raw.head()' }],
    ['insert at the top', { kind: 'insert', cell_type: 'markdown', source: 'Draft' }]
  ])('restores the exact notebook after a %s', (_, input) => {
    const notebook = loadModel();
    const before = saved(notebook);
    const p = propose(notebook, input);
    const applied = ProposalActions.apply(notebook, p, by);
    expect(saved(notebook)).not.toBe(before);

    expect(ProposalActions.canUndo(notebook, applied.undo)).toEqual({ ok: true });
    ProposalActions.undo(notebook, applied.undo);
    expect(saved(notebook)).toBe(before);
  });

  it('restores a replaced cell that already carried provenance from an earlier proposal', () => {
    const notebook = loadModel();
    const first = ProposalActions.apply(
      notebook,
      propose(notebook, { kind: 'replace', cell_id: 'plot', source: fixedPlot }),
      by
    );
    const between = saved(notebook);
    const second = ProposalActions.apply(
      notebook,
      propose(notebook, { kind: 'replace', cell_id: 'plot', source: 'pass' }),
      by
    );
    ProposalActions.undo(notebook, second.undo);
    expect(saved(notebook)).toBe(between);
    expect(first.cellId).toBe('plot');
  });

  it('puts a deleted cell back under its old neighbour, with its id, outputs and metadata', () => {
    const notebook = loadModel(exampleNotebook());
    const before = saved(notebook);
    const target = notebook.sharedModel.cells[3].id;
    const applied = ProposalActions.apply(notebook, propose(notebook, { kind: 'delete', cell_id: target }), by);
    ProposalActions.undo(notebook, applied.undo);
    expect(notebook.sharedModel.cells[3].id).toBe(target);
    expect(saved(notebook)).toBe(before);
  });

  it("refuses to undo over the scientist's later edits to the cell", () => {
    const notebook = loadModel();
    const applied = ProposalActions.apply(
      notebook,
      propose(notebook, { kind: 'replace', cell_id: 'plot', source: fixedPlot }),
      by
    );
    notebook.sharedModel.cells[4].setSource(fixedPlot + '\nplt.title("Spend vs income")');
    const reason = 'The cell was edited after it was accepted: undo those edits in the notebook first';
    expect(ProposalActions.canUndo(notebook, applied.undo)).toEqual({ ok: false, reason });
    expect(() => ProposalActions.undo(notebook, applied.undo)).toThrow(reason);
  });

  it('refuses to undo an insert whose cell was deleted since', () => {
    const notebook = loadModel();
    const applied = ProposalActions.apply(notebook, propose(notebook, { kind: 'insert', source: 'x = 1' }), by);
    notebook.sharedModel.deleteCell(0);
    expect(() => ProposalActions.undo(notebook, applied.undo)).toThrow(
      'The cell Claude wrote is no longer in the notebook'
    );
  });
});

describe("JupyterLab's own undo", () => {
  // A NotebookModel's shared model keeps one undo manager for the notebook (cell list)
  // and, by default, one per cell for typing. Our apply is a notebook transaction, so the
  // notebook's undo manager records it, as one step.
  it.each([
    ['replace', { kind: 'replace', cell_id: 'summary', source: 'raw.info()' }],
    ['insert', { kind: 'insert', cell_id: 'load', source: 'raw.head()' }],
    ['delete', { kind: 'delete', cell_id: 'summary' }]
  ])('takes back a %s in one step', (_, input) => {
    const notebook = loadModel();
    const before = saved(notebook);
    ProposalActions.apply(notebook, propose(notebook, input), by);
    expect(notebook.sharedModel.canUndo()).toBe(true);

    notebook.sharedModel.undo();
    expect(saved(notebook)).toBe(before);
    expect(notebook.sharedModel.canUndo()).toBe(false);
  });

  it('keeps two acceptances in a row as two steps', () => {
    const notebook = loadModel();
    const start = saved(notebook);
    ProposalActions.apply(notebook, propose(notebook, { kind: 'delete', cell_id: 'notes' }), by);
    const afterFirst = saved(notebook);
    ProposalActions.apply(notebook, propose(notebook, { kind: 'replace', cell_id: 'plot', source: fixedPlot }), by);

    notebook.sharedModel.undo();
    expect(saved(notebook)).toBe(afterFirst);
    notebook.sharedModel.undo();
    expect(saved(notebook)).toBe(start);
  });

  it('redoes an acceptance it took back', () => {
    const notebook = loadModel();
    ProposalActions.apply(notebook, propose(notebook, { kind: 'replace', cell_id: 'plot', source: fixedPlot }), by);
    const after = saved(notebook);
    notebook.sharedModel.undo();
    notebook.sharedModel.redo();
    expect(saved(notebook)).toBe(after);
  });

  it("is not in a cell's own typing history, in JupyterLab's default per-cell undo", () => {
    // Ctrl+Z in the replaced cell's editor undoes the scientist's typing only; the
    // notebook-level undo (Z in command mode) takes back Claude's change.
    const notebook = loadModel();
    const applied = ProposalActions.apply(
      notebook,
      propose(notebook, { kind: 'replace', cell_id: 'plot', source: fixedPlot }),
      by
    );
    const replaced = notebook.sharedModel.cells.find(c => c.id === applied.cellId)!;
    expect(replaced.canUndo()).toBe(false);
    expect(notebook.sharedModel.canUndo()).toBe(true);
  });

  it('is undone from the cell too when undo is document-wide', () => {
    const notebook = loadModel(analysisNotebook(), { disableDocumentWideUndoRedo: false });
    const before = saved(notebook);
    const applied = ProposalActions.apply(
      notebook,
      propose(notebook, { kind: 'replace', cell_id: 'plot', source: fixedPlot }),
      by
    );
    const replaced = notebook.sharedModel.cells.find(c => c.id === applied.cellId)!;
    expect(replaced.canUndo()).toBe(true);
    replaced.undo();
    expect(saved(notebook)).toBe(before);
  });

  it('is one step for our undo as well', () => {
    const notebook = loadModel();
    const applied = ProposalActions.apply(notebook, propose(notebook, { kind: 'delete', cell_id: 'notes' }), by);
    const afterApply = saved(notebook);
    ProposalActions.undo(notebook, applied.undo);
    notebook.sharedModel.undo();
    expect(saved(notebook)).toBe(afterApply);
  });
});

describe('several proposals', () => {
  it('accepts one and rejects the other; the rejected one touches nothing', () => {
    const notebook = loadModel();
    const list = new ProposalList();
    const statuses: string[] = [];
    list.changed.connect((_, p) => statuses.push(`${p.kind}:${p.status}`));

    const fix = list.add(propose(notebook, { kind: 'replace', cell_id: 'plot', source: fixedPlot }));
    const drop = list.add(propose(notebook, { kind: 'delete', cell_id: 'notes' }));
    const untouched = saved(notebook);

    // The scientist rejects the delete first: nothing changes.
    list.update(drop.id, { status: 'rejected', reason: 'I want to keep the notes' });
    expect(saved(notebook)).toBe(untouched);

    const applied = ProposalActions.apply(notebook, list.get(fix.id)!, by);
    list.update(fix.id, { status: 'accepted', appliedCellId: applied.cellId });

    expect(ids(notebook)).toEqual(['intro', 'load', 'summary', 'notes', 'plot']);
    expect(cell(notebook, 'plot').source).toBe(fixedPlot);
    expect(cell(notebook, 'notes').metadata).toEqual({});
    expect(list.pending()).toEqual([]);
    expect(statuses).toEqual(['replace:pending', 'delete:pending', 'delete:rejected', 'replace:accepted']);
  });

  it('makes a later proposal on the same cell stale once an earlier one is accepted', () => {
    const notebook = loadModel();
    const first = propose(notebook, { kind: 'replace', cell_id: 'plot', source: fixedPlot });
    const second = propose(notebook, { kind: 'replace', cell_id: 'plot', source: 'pass' });
    ProposalActions.apply(notebook, first, by);
    expect(ProposalActions.checkStale(notebook, second)).toEqual({
      ok: false,
      reason: 'The cell was changed after Claude proposed this: re-propose'
    });
  });
});
