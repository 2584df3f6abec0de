import type * as nbformat from '@jupyterlab/nbformat';
import { NotebookModel } from '@jupyterlab/notebook';
import { analysisNotebook, ids, loadModel } from '../../proposals/__tests__/fixtures';
import type { IHypothesis } from '../tokens';
import { HypothesisActions } from '../actions';
import { buildLedger, ledgerToMarkdown } from '../ledger';
import { HypothesisLedger } from '../model';
import { HYPOTHESIS_RESULT_MIME, testCellSource } from '../result';
import { effectiveStatus } from '../status';
import { errorOutput, hypothesis, resultOutput, streamOutput } from './fixtures';

const by = { model: 'claude-sonnet-4-5', requestId: 'req_011CQ', now: new Date('2025-05-01T10:30:00Z') };

/** The analysis notebook, with a conversation already recorded under `claude`. */
function notebookWithClaudeMetadata(): NotebookModel {
  const content = analysisNotebook();
  content.metadata.claude = { conversation_id: 'conv-1', context_budget: 20000 };
  return loadModel(content);
}

function stored(notebook: NotebookModel): Record<string, any> {
  return notebook.getMetadata('claude');
}

function setOutputs(notebook: NotebookModel, cellId: string, outputs: nbformat.IOutput[], executionCount = 7): void {
  const cell = notebook.sharedModel.cells.find(c => c.id === cellId) as any;
  notebook.sharedModel.transact(() => {
    cell.execution_count = executionCount;
    cell.setOutputs(outputs);
  });
}

function proposed(id: string, createdAt: string, test: Partial<IHypothesis['test']> = {}): IHypothesis {
  return hypothesis({ id, status: 'proposed', provenance: { ...hypothesis().provenance, createdAt } }, test);
}

describe('HypothesisLedger', () => {
  it('stores hypotheses in the notebook metadata keyed by id, leaving other claude keys alone', () => {
    const notebook = notebookWithClaudeMetadata();
    const ledger = new HypothesisLedger(notebook);
    ledger.add(proposed('h-000002', '2025-05-01T10:02:00.000Z'));
    ledger.add(proposed('h-000001', '2025-05-01T10:01:00.000Z'));

    const claude = stored(notebook);
    expect(claude.conversation_id).toBe('conv-1');
    expect(claude.context_budget).toBe(20000);
    expect(Object.keys(claude.hypotheses).sort()).toEqual(['h-000001', 'h-000002']);
    expect(claude.hypotheses['h-000001']).toMatchObject({ id: 'h-000001', status: 'proposed' });
    // Oldest first, whatever the order they were added in.
    expect(ledger.hypotheses.map(h => h.id)).toEqual(['h-000001', 'h-000002']);
    // The notebook as saved carries them.
    expect((notebook.toJSON() as nbformat.INotebookContent).metadata.claude).toEqual(claude);
  });

  it('refuses a second hypothesis with the same id', () => {
    const ledger = new HypothesisLedger(loadModel());
    ledger.add(proposed('h-000001', '2025-05-01T10:01:00.000Z'));
    expect(() => ledger.add(proposed('h-000001', '2025-05-01T10:01:00.000Z'))).toThrow(
      'A hypothesis with id h-000001 already exists'
    );
  });

  it('announces each change once', () => {
    const ledger = new HypothesisLedger(loadModel());
    let changes = 0;
    ledger.changed.connect(() => changes++);
    ledger.add(proposed('h-000001', '2025-05-01T10:01:00.000Z'));
    ledger.update('h-000001', { rationale: 'Better reason.' });
    ledger.remove('h-000001');
    expect(changes).toBe(3);
    expect(ledger.hypotheses).toEqual([]);
    expect(stored(notebook(ledger)).hypotheses).toEqual({});
  });

  it('keeps the override and its note, shown instead of the computed status', () => {
    const notebook = loadModel();
    const ledger = new HypothesisLedger(notebook);
    ledger.add(hypothesis({ status: 'accepted' }));
    ledger.update('h-3f9a1c', { evidence: readResult({ p_value: 0.001 }) });
    const h = ledger.setOverride('h-3f9a1c', 'inconclusive', 'Wealth is top-coded at 1996 values.');
    expect(h.status).toBe('supported');
    expect(effectiveStatus(h)).toBe('inconclusive');
    expect(stored(notebook).hypotheses['h-3f9a1c'].override).toMatchObject({
      status: 'inconclusive',
      note: 'Wealth is top-coded at 1996 values.'
    });
    expect(ledger.clearOverride('h-3f9a1c').override).toBeNull();
  });

  it('picks up hypotheses changed in the metadata from elsewhere', () => {
    const notebook = notebookWithClaudeMetadata();
    const ledger = new HypothesisLedger(notebook);
    ledger.add(proposed('h-000001', '2025-05-01T10:01:00.000Z'));
    let changes = 0;
    ledger.changed.connect(() => changes++);

    // A collaborator adds one and edits another.
    const claude = JSON.parse(JSON.stringify(stored(notebook)));
    claude.hypotheses['h-000001'].statement = 'Edited elsewhere.';
    claude.hypotheses['h-0000aa'] = proposed('h-0000aa', '2025-05-01T09:00:00.000Z');
    notebook.setMetadata('claude', claude);

    expect(changes).toBe(1);
    expect(ledger.hypotheses.map(h => h.id)).toEqual(['h-0000aa', 'h-000001']);
    expect(ledger.get('h-000001')?.statement).toBe('Edited elsewhere.');

    // An unrelated metadata change is not a ledger change.
    notebook.setMetadata('kernelspec', { name: 'python3', display_name: 'Python 3' });
    notebook.setMetadata('claude', JSON.parse(JSON.stringify(stored(notebook))));
    expect(changes).toBe(1);
  });

  it('reads the result a cell already shows when it is linked as the test cell', () => {
    const notebook = loadModel();
    const ledger = new HypothesisLedger(notebook);
    ledger.add(proposed('h-3f9a1c', '2025-05-01T10:01:00.000Z'));
    setOutputs(notebook, 'summary', [resultOutput({ p_value: 0.002 })], 2);
    const h = ledger.linkCells('h-3f9a1c', 'notes', 'summary');
    expect(h).toMatchObject({
      statementCellId: 'notes',
      testCellId: 'summary',
      evidence: { pValue: 0.002, executionCount: 2 }
    });
  });

  it('writes nothing when it is made, so opening a notebook does not change it', () => {
    const notebook = notebookWithClaudeMetadata();
    const before = JSON.stringify(notebook.toJSON());
    let writes = 0;
    notebook.metadataChanged.connect(() => writes++);
    const ledger = new HypothesisLedger(notebook);
    expect(ledger.hypotheses).toEqual([]);
    expect(writes).toBe(0);
    expect(JSON.stringify(notebook.toJSON())).toBe(before);
  });

  it('skips entries that are not hypotheses but keeps them in the file', () => {
    const content = analysisNotebook();
    content.metadata.claude = { hypotheses: { 'h-broken': 'not a record' } };
    const notebook = loadModel(content);
    const ledger = new HypothesisLedger(notebook);
    expect(ledger.hypotheses).toEqual([]);
    ledger.add(proposed('h-000001', '2025-05-01T10:01:00.000Z'));
    expect(stored(notebook).hypotheses['h-broken']).toBe('not a record');
  });
});

describe('HypothesisActions.acceptHypothesis', () => {
  function accepted() {
    const notebook = notebookWithClaudeMetadata();
    const ledger = new HypothesisLedger(notebook);
    ledger.add(hypothesis({ status: 'proposed' }));
    const cells = HypothesisActions.acceptHypothesis(ledger, notebook, 'h-3f9a1c', 'summary', by);
    return { notebook, ledger, ...cells };
  }

  it('inserts a statement and a test cell right after the anchor, links them and accepts', () => {
    const { notebook, ledger, statementCellId, testCellId } = accepted();
    expect(ids(notebook)).toEqual(['intro', 'load', 'summary', statementCellId, testCellId, 'notes', 'plot']);

    const [statement, test] = [statementCellId, testCellId].map(
      id => notebook.sharedModel.cells.find(c => c.id === id)!.toJSON() as any
    );
    expect(statement.cell_type).toBe('markdown');
    expect(test.cell_type).toBe('code');
    expect(test.source).toBe(testCellSource(ledger.get('h-3f9a1c')!));
    expect(test.outputs).toEqual([]);
    expect(test.execution_count).toBeNull();
    expect(statement.metadata.claude).toEqual({
      hypothesis_id: 'h-3f9a1c',
      kind: 'hypothesis-statement',
      model: 'claude-sonnet-4-5',
      request_id: 'req_011CQ',
      time: '2025-05-01T10:30:00.000Z'
    });
    expect(test.metadata.claude).toMatchObject({ hypothesis_id: 'h-3f9a1c', kind: 'hypothesis-test' });

    const h = ledger.get('h-3f9a1c')!;
    expect(h).toMatchObject({ status: 'accepted', statementCellId, testCellId, evidence: null });
    expect(stored(notebook).hypotheses['h-3f9a1c']).toMatchObject({ status: 'accepted', testCellId });
  });

  it('states everything needed to judge the test in the Markdown cell', () => {
    const { notebook, statementCellId } = accepted();
    const source = notebook.sharedModel.cells.find(c => c.id === statementCellId)!.getSource();
    for (const part of [
      '`h-3f9a1c`',
      'Respondents who were ever jailed had lower composite wealth in 1996.',
      'NLSY79 respondents with wealth reported in 1996.',
      '`ever_jailed`, `composite_wealth_1996`',
      'ever being jailed goes with lower wealth',
      '**H0**: Mean 1996 wealth is the same',
      '**H1**: Mean 1996 wealth is lower',
      'Welch t-test, two-sided, alpha = 0.05',
      '**Supported if**: p <= 0.05 and the effect (difference in mean wealth (USD)) is negative',
      '**Refuted if**: p <= 0.05 with a positive effect',
      'Incarceration interrupts work and saving.',
      '- independent respondents'
    ]) {
      expect(source).toContain(part);
    }
  });

  it('is one undo step', () => {
    const { notebook } = accepted();
    notebook.sharedModel.undo();
    expect(ids(notebook)).toEqual(['intro', 'load', 'summary', 'notes', 'plot']);
  });

  it('is proposed again when the acceptance is undone, and accepted again on redo', () => {
    const { notebook, ledger, statementCellId, testCellId } = accepted();
    notebook.sharedModel.undo();
    expect(ledger.get('h-3f9a1c')).toMatchObject({ status: 'proposed', statementCellId: null, testCellId: null });
    expect(stored(notebook).hypotheses['h-3f9a1c'].status).toBe('proposed');

    notebook.sharedModel.redo();
    expect(ids(notebook)).toEqual(['intro', 'load', 'summary', statementCellId, testCellId, 'notes', 'plot']);
    expect(ledger.get('h-3f9a1c')).toMatchObject({ status: 'accepted', statementCellId, testCellId });
  });

  it('finds its test cell again by provenance after a cut and paste gave it a new id', () => {
    const { notebook, ledger, testCellId } = accepted();
    setOutputs(notebook, testCellId, [resultOutput({ p_value: 0.0004 })]);
    const shared = notebook.sharedModel;
    const index = shared.cells.findIndex(c => c.id === testCellId);
    const copy = shared.cells[index].toJSON() as nbformat.ICodeCell;
    shared.transact(() => {
      shared.deleteCell(index);
      shared.insertCell(0, { ...copy, id: 'pasted' });
    });
    expect(ledger.get('h-3f9a1c')).toMatchObject({ status: 'supported', testCellId: 'pasted' });
    setOutputs(notebook, 'pasted', [errorOutput()]);
    expect(ledger.get('h-3f9a1c')?.status).toBe('not_tested');
  });

  it('keeps a tested hypothesis and its links when its cells are deleted', () => {
    const { notebook, ledger, statementCellId, testCellId } = accepted();
    setOutputs(notebook, testCellId, [resultOutput({ p_value: 0.0004 })]);
    notebook.sharedModel.deleteCellRange(3, 5);
    expect(ids(notebook)).toEqual(['intro', 'load', 'summary', 'notes', 'plot']);
    expect(ledger.get('h-3f9a1c')).toMatchObject({ status: 'supported', statementCellId, testCellId });
  });

  it('appends at the end when there is no anchor or the anchor is gone', () => {
    const notebook = loadModel();
    const ledger = new HypothesisLedger(notebook);
    ledger.add(proposed('h-000001', '2025-05-01T10:01:00.000Z'));
    ledger.add(proposed('h-000002', '2025-05-01T10:02:00.000Z'));
    const first = HypothesisActions.acceptHypothesis(ledger, notebook, 'h-000001', null, by);
    const second = HypothesisActions.acceptHypothesis(ledger, notebook, 'h-000002', 'deleted-cell', by);
    expect(ids(notebook).slice(-4)).toEqual([
      first.statementCellId,
      first.testCellId,
      second.statementCellId,
      second.testCellId
    ]);
  });

  it('refuses to accept twice, and an unknown id', () => {
    const { notebook, ledger } = accepted();
    expect(() => HypothesisActions.acceptHypothesis(ledger, notebook, 'h-3f9a1c', null, by)).toThrow(
      'This hypothesis is accepted, not proposed'
    );
    expect(() => HypothesisActions.acceptHypothesis(ledger, notebook, 'h-nope', null, by)).toThrow(
      'No hypothesis with id h-nope'
    );
    expect(notebook.sharedModel.cells).toHaveLength(7);
  });

  describe('when the test cell runs', () => {
    it('reads the result from its outputs and updates the status in the metadata', () => {
      const { notebook, ledger, testCellId } = accepted();
      let changes = 0;
      ledger.changed.connect(() => changes++);
      setOutputs(notebook, testCellId, [streamOutput('6024 rows\n'), resultOutput({ p_value: 0.0004 })], 12);

      const h = ledger.get('h-3f9a1c')!;
      expect(h.status).toBe('supported');
      expect(h.evidence).toMatchObject({ pValue: 0.0004, effectSize: -30000, n: 6024, executionCount: 12 });
      expect(stored(notebook).hypotheses['h-3f9a1c']).toMatchObject({
        status: 'supported',
        evidence: { pValue: 0.0004 }
      });
      expect(changes).toBeGreaterThanOrEqual(1);
      // Reading the same result again writes nothing.
      const before = changes;
      setOutputs(notebook, testCellId, [resultOutput({ p_value: 0.0004 })], 12);
      expect(changes).toBe(before);
    });

    it('calls a test cell that failed not tested', () => {
      const { notebook, ledger, testCellId } = accepted();
      setOutputs(notebook, testCellId, [resultOutput({ p_value: 0.0004 })]);
      setOutputs(notebook, testCellId, [errorOutput('KeyError', "'ever_jailed'")], 8);
      expect(ledger.get('h-3f9a1c')).toMatchObject({
        status: 'not_tested',
        evidence: { error: "KeyError: 'ever_jailed'", pValue: null, executionCount: 8 }
      });
    });

    it('keeps the last result when the outputs are cleared', () => {
      const { notebook, ledger, testCellId } = accepted();
      setOutputs(notebook, testCellId, [resultOutput({ p_value: 0.2, effect_size: -900 })]);
      setOutputs(notebook, testCellId, []);
      expect(ledger.get('h-3f9a1c')).toMatchObject({ status: 'inconclusive', evidence: { pValue: 0.2 } });
    });

    it('ignores other cells and other hypotheses’ bundles', () => {
      const { notebook, ledger, testCellId } = accepted();
      setOutputs(notebook, 'summary', [resultOutput({ p_value: 0.0001 })]);
      setOutputs(notebook, testCellId, [resultOutput({ hypothesis_id: 'h-999999', p_value: 0.0001 })]);
      expect(ledger.get('h-3f9a1c')).toMatchObject({ status: 'accepted', evidence: null });
    });

    it('follows cells added after the ledger was made', () => {
      const notebook = loadModel();
      const ledger = new HypothesisLedger(notebook);
      const cell = notebook.sharedModel.insertCell(0, { cell_type: 'code', source: 'result = {}' });
      ledger.add(hypothesis({ testCellId: cell.id }));
      setOutputs(notebook, cell.id, [resultOutput({ p_value: 0.01 })]);
      expect(ledger.get('h-3f9a1c')?.status).toBe('supported');
    });

    it('stops following the notebook once disposed', () => {
      const { notebook, ledger, testCellId } = accepted();
      ledger.dispose();
      setOutputs(notebook, testCellId, [resultOutput({ p_value: 0.0004 })]);
      expect(ledger.get('h-3f9a1c')?.status).toBe('accepted');
      expect(ledger.isDisposed).toBe(true);
    });
  });

  it('comes back the same from the saved notebook', () => {
    const { notebook, ledger, testCellId } = accepted();
    setOutputs(notebook, testCellId, [resultOutput({ p_value: 0.0004 })]);
    ledger.setOverride('h-3f9a1c', 'inconclusive', 'Wealth is top-coded.');

    const reloaded = new NotebookModel();
    reloaded.fromJSON(JSON.parse(JSON.stringify(notebook.toJSON())));
    const again = new HypothesisLedger(reloaded);
    expect(again.hypotheses).toEqual(ledger.hypotheses);
    expect(stored(reloaded).conversation_id).toBe('conv-1');
    expect(again.get('h-3f9a1c')?.override?.note).toBe('Wealth is top-coded.');
  });

  it('exports a Markdown ledger that cites each test cell', () => {
    const { notebook, ledger, testCellId } = accepted();
    setOutputs(notebook, testCellId, [resultOutput({ p_value: 0.0004 })]);
    const index = (id: string) => notebook.sharedModel.cells.findIndex(c => c.id === id);
    const markdown = ledgerToMarkdown(buildLedger(ledger.hypotheses, 'holm'), 'holm', {
      notebookPath: 'analysis/nls.ipynb',
      cellLabel: id => `cell #${index(id) + 1}`
    });
    expect(markdown).toContain(`- **Test cell**: cell #5 (id \`${testCellId}\`) in \`analysis/nls.ipynb\``);
    expect(markdown).toContain(
      '- **Evidence**: t = -4.1, p = 0.0004, adjusted p = 0.0004, effect = -30000 (95% CI [-45000, -15000]), n = 6024'
    );
    expect(markdown).toContain('- **Verdict (corrected)**: supported');
  });
});

describe('the ledger of a notebook with ten tests', () => {
  it('keeps a tenth test at p = 0.04 among nine with p >= 0.2 from being called a discovery', () => {
    const notebook = loadModel();
    const ledger = new HypothesisLedger(notebook);
    const pValues = [0.2, 0.31, 0.45, 0.52, 0.6, 0.68, 0.74, 0.83, 0.91, 0.04];
    pValues.forEach((p, i) => {
      const id = `h-00000${i}`;
      ledger.add(proposed(id, `2025-05-01T10:0${i}:00.000Z`));
      const { testCellId } = HypothesisActions.acceptHypothesis(ledger, notebook, id, null, by);
      setOutputs(notebook, testCellId, [resultOutput({ hypothesis_id: id, p_value: p })]);
    });

    const tenth = ledger.get('h-000009')!;
    expect(tenth.status).toBe('supported');
    for (const method of ['holm', 'bh'] as const) {
      const row = buildLedger(ledger.hypotheses, method).find(r => r.hypothesis.id === 'h-000009')!;
      expect(row.status).toBe('supported');
      expect(row.correctedStatus).toBe('inconclusive');
      expect(row.effectiveStatus).toBe('inconclusive');
    }
    const holmRow = buildLedger(ledger.hypotheses, 'holm')[9];
    expect(holmRow.adjustedP).toBeCloseTo(0.4, 12);
    expect(holmRow.reason).toBe('supported at raw p = 0.04, but adjusted p = 0.4 > alpha = 0.05 (Holm)');
  });
});

function notebook(ledger: HypothesisLedger): NotebookModel {
  return ledger.notebook as NotebookModel;
}

function readResult(values: Record<string, unknown>) {
  const data = resultOutput(values).data as any;
  const payload = data[HYPOTHESIS_RESULT_MIME];
  return {
    statistic: payload.statistic,
    statisticName: payload.statistic_name,
    pValue: payload.p_value,
    effectSize: payload.effect_size,
    ci: payload.ci,
    ciLevel: payload.ci_level,
    n: payload.n,
    error: null,
    executionCount: 1,
    readAt: '2025-05-01T11:00:00.000Z'
  };
}
