/*
 * The hypotheses of one notebook as Claude's tools see them: a proposal waits for the
 * scientist and changes nothing; accepting inserts the cells; the answer Claude gets says what
 * happened. On a real NotebookModel.
 */
import type * as nbformat from '@jupyterlab/nbformat';
import type { NotebookModel } from '@jupyterlab/notebook';
import { analysisNotebook, loadModel } from '../../proposals/__tests__/fixtures';
import type { IToolResult } from '../../agent/tokens';
import type { IRunOutcome } from '../../proposals/tokens';
import { NotebookHypotheses } from '../notebook';
import { HYPOTHESIS_RESULT_MIME } from '../result';

const CALL = { toolUseId: 'toolu_01Hyp', model: 'claude-sonnet-5-5', requestId: 'req_01Hyp' };

const INPUT = {
  statement: 'Respondents who were ever jailed had lower composite wealth in 1996.',
  context: 'NLSY79 respondents with wealth reported in 1996.',
  variables: ['ever_jailed', 'composite_wealth_1996'],
  relationship: 'Ever being jailed goes with lower wealth.',
  h0: 'Mean 1996 wealth is the same for both groups.',
  h1: 'Mean 1996 wealth is lower for those ever jailed.',
  test: {
    method: 'Welch t-test',
    code: "result = {'p_value': 0.001, 'effect_size': -30000, 'n': 12013}",
    alpha: 0.05,
    alternative: 'two-sided',
    expected_direction: 'negative',
    effect_measure: 'difference in mean wealth (USD)'
  },
  rationale: 'Incarceration interrupts earnings.',
  assumptions: ['Independent respondents']
};

function setup(options: { closed?: boolean; runCell?: (id: string) => Promise<IRunOutcome> } = {}) {
  const notebook = loadModel(analysisNotebook()) as NotebookModel;
  const saved: Array<[string, string]> = [];
  const hypotheses = new NotebookHypotheses({
    notebook: () => (options.closed ? null : notebook),
    notebookPath: () => 'study/analysis.ipynb',
    cellLabel: id => `cell #${notebook.sharedModel.cells.findIndex(c => c.id === id) + 1}`,
    runCell: options.runCell ?? (() => Promise.resolve({ ok: true, outputs: [], executionCount: 1 })),
    revealCell: () => undefined,
    saveText: async (path, text) => {
      saved.push([path, text]);
      return path;
    }
  });
  return { notebook, hypotheses, saved };
}

function cellIds(notebook: NotebookModel): string[] {
  return notebook.sharedModel.cells.map(c => c.id);
}

describe('NotebookHypotheses', () => {
  it('answers a malformed proposal at once with what is wrong, recording nothing', async () => {
    const { notebook, hypotheses } = setup();
    const result = await hypotheses.propose({ ...INPUT, test: { ...INPUT.test, code: '' } }, CALL);
    expect(result.isError).toBe(true);
    expect(result.content).toMatch(/test\.code/);
    expect(hypotheses.proposals).toHaveLength(0);
    expect(notebook.getMetadata('claude')).toBeUndefined();
  });

  it('keeps a proposal waiting without touching the notebook, then inserts its cells at the end on accept', async () => {
    const { notebook, hypotheses } = setup();
    const before = cellIds(notebook);
    let answered: IToolResult | null = null;
    const pending = hypotheses.propose(INPUT, CALL).then(r => (answered = r));
    await Promise.resolve();
    expect(hypotheses.proposals).toHaveLength(1);
    expect(hypotheses.proposals[0].status).toBe('pending');
    expect(cellIds(notebook)).toEqual(before);
    expect(notebook.getMetadata('claude')).toBeUndefined();
    expect(answered).toBeNull();

    const id = hypotheses.proposals[0].hypothesis.id;
    await hypotheses.accept(id);
    const result = (await pending) as IToolResult;
    const after = cellIds(notebook);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after).toHaveLength(before.length + 2);
    const record = notebook.getMetadata('claude').hypotheses[id];
    expect(record).toMatchObject({
      status: 'accepted',
      statementCellId: after[before.length],
      testCellId: after[before.length + 1]
    });
    expect(record.provenance).toMatchObject({
      model: 'claude-sonnet-5-5',
      requestId: 'req_01Hyp',
      toolUseId: 'toolu_01Hyp'
    });
    expect(result.isError).toBeFalsy();
    expect(result.content).toContain(`accepted hypothesis ${id}`);
    expect(result.content).toContain(`code cell id=${record.testCellId}`);
    expect(result.content).toMatch(/has not run/);
    expect(hypotheses.rows('holm')[0].status).toBe('accepted');
  });

  it('goes after the cell Claude named when it is still there', async () => {
    const { notebook, hypotheses } = setup();
    const anchor = cellIds(notebook)[0];
    const pending = hypotheses.propose({ ...INPUT, after_cell_id: anchor }, CALL);
    await Promise.resolve();
    await hypotheses.accept(hypotheses.proposals[0].hypothesis.id);
    await pending;
    const cells = notebook.sharedModel.cells;
    expect(cells[1].cell_type).toBe('markdown');
    expect((cells[2].getMetadata('claude') as any).kind).toBe('hypothesis-test');
  });

  it('runs the test only on Accept and run, and tells Claude the computed status', async () => {
    let ran: string | null = null;
    const { notebook, hypotheses } = setup({
      runCell: async cellId => {
        ran = cellId;
        const cell = notebook.sharedModel.cells.find(c => c.id === cellId) as any;
        const id = cell.getMetadata('claude').hypothesis_id;
        const output: nbformat.IOutput = {
          output_type: 'display_data',
          metadata: {},
          data: {
            [HYPOTHESIS_RESULT_MIME]: {
              hypothesis_id: id,
              statistic: -9.7,
              statistic_name: 't',
              p_value: 1e-20,
              effect_size: -85063,
              ci: null,
              ci_level: null,
              n: 12013
            },
            'text/plain': 'result'
          }
        };
        notebook.sharedModel.transact(() => {
          cell.execution_count = 3;
          cell.setOutputs([output]);
        });
        return { ok: true, outputs: [output], executionCount: 3 };
      }
    });
    const pending = hypotheses.propose(INPUT, CALL);
    await Promise.resolve();
    const id = hypotheses.proposals[0].hypothesis.id;
    await hypotheses.accept(id, { run: true });
    const result = await pending;
    expect(ran).toBe(notebook.getMetadata('claude').hypotheses[id].testCellId);
    expect(result.content).toMatch(/Computed status: supported/);
    expect(hypotheses.rows('bh')[0]).toMatchObject({
      status: 'supported',
      correctedStatus: 'supported',
      effectiveStatus: 'supported'
    });
  });

  it('records nothing on reject, and passes the reason to Claude', async () => {
    const { notebook, hypotheses } = setup();
    const pending = hypotheses.propose(INPUT, CALL);
    await Promise.resolve();
    hypotheses.reject(hypotheses.proposals[0].hypothesis.id, 'Already tested last week');
    const result = await pending;
    expect(result.content).toMatch(/rejected hypothesis .*nothing was recorded.*Already tested last week/);
    expect(notebook.getMetadata('claude')).toBeUndefined();
    expect(hypotheses.proposals[0].status).toBe('rejected');
  });

  it('settles waiting proposals as rejected when the answer is stopped', async () => {
    const { hypotheses } = setup();
    const pending = hypotheses.propose(INPUT, CALL);
    await Promise.resolve();
    hypotheses.cancelPending();
    expect((await pending).content).toMatch(/stopped the answer/);
  });

  it('says the notebook is closed instead of waiting forever', async () => {
    const { hypotheses } = setup({ closed: true });
    const result = await hypotheses.propose(INPUT, CALL);
    expect(result).toEqual({ content: 'The notebook is closed.', isError: true });
  });

  it('gives Claude the ledger, and the scientist a report as a cell or a file', async () => {
    const { notebook, hypotheses, saved } = setup();
    expect(hypotheses.readForClaude().content).toMatch(/No hypotheses/);
    const pending = hypotheses.propose(INPUT, CALL);
    await Promise.resolve();
    await hypotheses.accept(hypotheses.proposals[0].hypothesis.id);
    await pending;
    expect(hypotheses.readForClaude().content).toContain(INPUT.statement);

    const count = notebook.sharedModel.cells.length;
    const reportId = hypotheses.insertReport('holm');
    expect(notebook.sharedModel.cells).toHaveLength(count + 1);
    const report = notebook.sharedModel.cells[count];
    expect(report.id).toBe(reportId);
    expect(report.cell_type).toBe('markdown');
    expect(report.getSource()).toContain(INPUT.statement);
    expect(await hypotheses.saveReport('bh')).toBe('study/analysis-hypotheses.md');
    expect(saved[0][1]).toMatch(/Benjamini/);
  });

  it("holds the notebook's correction: Holm until changed, announced once, used when Claude reads the ledger", async () => {
    const { notebook, hypotheses } = setup();
    const seen: string[] = [];
    hypotheses.correctionChanged.connect((_, method) => seen.push(method));
    expect(hypotheses.correction).toBe('holm');
    hypotheses.correction = 'bh';
    hypotheses.correction = 'bh';
    expect(seen).toEqual(['bh']);
    // Kept in memory only: the notebook's metadata does not change.
    expect(notebook.getMetadata('claude')).toBeUndefined();

    const pending = hypotheses.propose(INPUT, CALL);
    await Promise.resolve();
    await hypotheses.accept(hypotheses.proposals[0].hypothesis.id);
    await pending;
    expect(hypotheses.readForClaude().content).toMatch(/correction: Benjamini–Hochberg\./);
    expect(hypotheses.rows()[0].hypothesis.statement).toBe(INPUT.statement);
    hypotheses.correction = 'holm';
    expect(hypotheses.readForClaude().content).toMatch(/correction: Holm\./);
    expect(seen).toEqual(['bh', 'holm']);
  });

  it("names the notebook's correction in the verdict Claude hears after a test runs", async () => {
    const { notebook, hypotheses } = setup({
      runCell: async cellId => {
        const cell = notebook.sharedModel.cells.find(c => c.id === cellId) as any;
        const id = cell.getMetadata('claude').hypothesis_id;
        const output: nbformat.IOutput = {
          output_type: 'display_data',
          metadata: {},
          data: { [HYPOTHESIS_RESULT_MIME]: { hypothesis_id: id, p_value: 0.001, effect_size: -30000, n: 12013 } }
        };
        notebook.sharedModel.transact(() => {
          cell.execution_count = 3;
          cell.setOutputs([output]);
        });
        return { ok: true, outputs: [output], executionCount: 3 };
      }
    });
    hypotheses.correction = 'bh';
    const pending = hypotheses.propose(INPUT, CALL);
    await Promise.resolve();
    await hypotheses.accept(hypotheses.proposals[0].hypothesis.id, { run: true });
    expect((await pending).content).toMatch(/after Benjamini–Hochberg's correction across the notebook: supported\./);
  });
});
