/*
 * Accepting a hypothesis: its statement and its test go into the notebook as two cells, in
 * one transaction (one undo step), with provenance. Nothing runs: running the test is the
 * scientist's click.
 */
import type { INotebookModel } from '@jupyterlab/notebook';
import type { PartialJSONObject } from '@lumino/coreutils';
import { asOneUndoStep } from '../proposals/undo';
import type { IHypothesis } from './tokens';
import type { HypothesisLedger } from './model';
import { testCellSource } from './result';
import { describeCriteria } from './status';

/**
 * Provenance of a cell written for a hypothesis, kept in the cell's metadata under `claude`.
 */
export interface IHypothesisCellProvenance extends PartialJSONObject {
  hypothesis_id: string;
  kind: 'hypothesis-statement' | 'hypothesis-test';
  model: string;
  request_id: string | null;
  /** ISO time of the acceptance. */
  time: string;
}

/**
 * Actions on hypotheses, on JupyterLab's own notebook model.
 */
export namespace HypothesisActions {
  /**
   * Accept a proposed hypothesis: insert a Markdown cell stating it and a code cell testing it
   * right after the anchor cell (at the end when the anchor is null or gone), link them, and
   * set its status to accepted. Returns the new cells' ids.
   *
   * Throws when the hypothesis is unknown or not proposed.
   */
  export function acceptHypothesis(
    ledger: HypothesisLedger,
    notebook: INotebookModel,
    id: string,
    anchorCellId: string | null,
    provenanceExtra: { model: string; requestId: string | null; now?: Date }
  ): { statementCellId: string; testCellId: string } {
    const h = ledger.get(id);
    if (!h) {
      throw new Error(`No hypothesis with id ${id}`);
    }
    if (h.status !== 'proposed') {
      throw new Error(`This hypothesis is ${h.status}, not proposed`);
    }
    const shared = notebook.sharedModel;
    const provenance = (kind: IHypothesisCellProvenance['kind']): IHypothesisCellProvenance => ({
      hypothesis_id: h.id,
      kind,
      model: provenanceExtra.model,
      request_id: provenanceExtra.requestId,
      time: (provenanceExtra.now ?? new Date()).toISOString()
    });
    const anchor = anchorCellId === null ? -1 : shared.cells.findIndex(c => c.id === anchorCellId);
    const index = anchor === -1 ? shared.cells.length : anchor + 1;

    const ids = asOneUndoStep(shared, () => {
      const [statement, test] = shared.insertCells(index, [
        {
          cell_type: 'markdown',
          source: statementMarkdown(h),
          metadata: { claude: provenance('hypothesis-statement') }
        },
        {
          cell_type: 'code',
          source: testCellSource(h),
          metadata: { claude: provenance('hypothesis-test') }
        }
      ]);
      return { statementCellId: statement.id, testCellId: test.id };
    });
    ledger.linkCells(id, ids.statementCellId, ids.testCellId);
    ledger.update(id, { status: 'accepted' });
    return ids;
  }

  /**
   * The Markdown that states a hypothesis in the notebook: everything needed to judge the
   * test before it runs.
   */
  export function statementMarkdown(h: IHypothesis): string {
    const t = h.test;
    const criteria = describeCriteria(t);
    const list = (items: string[]) => items.map(item => `- ${item}`).join('\n');
    const lines = [
      `### Hypothesis \`${h.id}\``,
      '',
      `**${h.statement}**`,
      '',
      `- **Context**: ${h.context}`,
      `- **Variables**: ${h.variables.map(v => `\`${v}\``).join(', ')}`,
      `- **Relationship**: ${h.relationship}`,
      `- **H0**: ${h.h0}`,
      `- **H1**: ${h.h1}`,
      `- **Test**: ${t.method}, ${t.alternative}, alpha = ${t.alpha}` +
        (t.effectMeasure ? `; effect: ${t.effectMeasure}` : ''),
      `- **Supported if**: ${criteria.supported}`,
      `- **Refuted if**: ${criteria.refuted}`,
      '',
      `**Rationale**: ${h.rationale}`
    ];
    if (h.assumptions.length > 0) {
      lines.push('', '**Assumptions**:', '', list(h.assumptions));
    }
    return lines.join('\n');
  }
}
