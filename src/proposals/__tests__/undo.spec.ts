/*
 * The one undo-step helper every writer goes through, on a real NotebookModel: a change made
 * through it is one step of JupyterLab's notebook undo, never merged with the scientist's
 * change just before it (Yjs merges changes within half a second otherwise).
 */
import type { NotebookModel } from '@jupyterlab/notebook';
import { HypothesisActions } from '../../hypotheses/actions';
import { hypothesis } from '../../hypotheses/__tests__/fixtures';
import { HypothesisLedger } from '../../hypotheses/model';
import { NotebookHypotheses } from '../../hypotheses/notebook';
import { asOneUndoStep } from '../undo';
import { analysisNotebook, ids, loadModel } from './fixtures';

const by = { model: 'claude-sonnet-4-5', requestId: 'req_011CQ', now: new Date('2025-05-01T10:30:00Z') };

/** The scientist adds a cell of their own, the way the notebook's shared model records it. */
function scientistInserts(notebook: NotebookModel): string {
  return notebook.sharedModel.insertCell(0, { cell_type: 'code', source: 'x = 1' }).id;
}

describe('asOneUndoStep', () => {
  it('returns what the change returns and makes it one undo step', () => {
    const notebook = loadModel(analysisNotebook());
    const shared = notebook.sharedModel;
    const before = ids(notebook);
    const added = asOneUndoStep(shared, () =>
      shared.insertCells(shared.cells.length, [
        { cell_type: 'markdown', source: 'a' },
        { cell_type: 'code', source: 'b' }
      ])
    );
    expect(added.map(cell => cell.id)).toEqual(ids(notebook).slice(-2));

    shared.undo();
    expect(ids(notebook)).toEqual(before);
    expect(shared.canUndo()).toBe(false);
  });

  it("keeps a hypothesis insertion one step, apart from the scientist's change just before", () => {
    const notebook = loadModel(analysisNotebook());
    const ledger = new HypothesisLedger(notebook);
    ledger.add(hypothesis({ status: 'proposed' }));
    const original = ids(notebook);
    const mine = scientistInserts(notebook);
    const afterMine = ids(notebook);

    const { statementCellId, testCellId } = HypothesisActions.acceptHypothesis(
      ledger,
      notebook,
      'h-3f9a1c',
      'summary',
      by
    );
    expect(ids(notebook)).toEqual([mine, 'intro', 'load', 'summary', statementCellId, testCellId, 'notes', 'plot']);

    // One undo takes back both hypothesis cells, and only them.
    notebook.sharedModel.undo();
    expect(ids(notebook)).toEqual(afterMine);
    notebook.sharedModel.undo();
    expect(ids(notebook)).toEqual(original);
    expect(notebook.sharedModel.canUndo()).toBe(false);
    ledger.dispose();
  });

  it('makes the hypotheses report one undo step too', () => {
    const notebook = loadModel(analysisNotebook());
    const hypotheses = new NotebookHypotheses({
      notebook: () => notebook,
      notebookPath: () => 'analysis.ipynb',
      cellLabel: id => `cell ${id}`,
      runCell: () => Promise.resolve({ ok: true, outputs: [], executionCount: 1 }),
      revealCell: () => undefined,
      saveText: path => Promise.resolve(path)
    });
    scientistInserts(notebook);
    const afterMine = ids(notebook);

    const reportId = hypotheses.insertReport('holm');
    expect(ids(notebook)).toEqual([...afterMine, reportId]);
    notebook.sharedModel.undo();
    expect(ids(notebook)).toEqual(afterMine);
    hypotheses.dispose();
  });
});
