/*
 * Public interfaces of hypotheses: records, evidence, the ledger and the per-notebook model.
 * No logic lives here.
 */
import type { ISignal } from '@lumino/signaling';
import type { IToolCallInfo, IToolResult } from '../agent/tokens';

/**
 * Where a hypothesis stands.
 *
 * - `proposed`: Claude proposed it; the scientist has not decided.
 * - `accepted`: accepted for testing; its cells are in the notebook, no result yet.
 * - `supported` / `refuted` / `inconclusive`: computed from the test cell's result and the
 *   record's criteria, never from Claude's words.
 * - `not_tested`: the test cell ran and failed (the error is in the evidence).
 * - `retired`: the scientist set it aside.
 */
export type HypothesisStatus =
  'proposed' | 'accepted' | 'supported' | 'refuted' | 'inconclusive' | 'not_tested' | 'retired';

/**
 * How a hypothesis is tested and what would count as support.
 */
export interface IHypothesisTest {
  /** The method, e.g. "Welch t-test", "OLS coefficient", "chi-square", "permutation test". */
  method: string;
  /** The Python code of the test; it leaves its result in a dict named `result`. */
  code: string;
  /** The significance level, e.g. 0.05. */
  alpha: number;
  /** The alternative the p-value is for. */
  alternative: 'two-sided' | 'greater' | 'less';
  /** The sign of the effect that would support H1 (`any` for a two-sided claim). */
  expectedDirection: 'positive' | 'negative' | 'any';
  /** The smallest effect (absolute value, in the effect's units) that would count as support. */
  minEffect?: number | null;
  /** What the effect size measures ("difference in means", "Cohen's d", "slope"). */
  effectMeasure?: string;
}

/**
 * What a test cell reported, read from its output.
 */
export interface IHypothesisEvidence {
  statistic: number | null;
  /** "t", "chi2", "F", ... */
  statisticName?: string;
  pValue: number | null;
  effectSize: number | null;
  /** Confidence interval of the effect, if reported. */
  ci?: [number, number] | null;
  /** The interval's level, e.g. 0.95. */
  ciLevel?: number | null;
  n: number | null;
  /** The test cell failed: its error name and message. */
  error?: string | null;
  /** The execution count of the output it was read from. */
  executionCount?: number | null;
  /** ISO time it was read. */
  readAt: string;
}

/**
 * A hypothesis: a record with a falsification test whose verdict comes from the data.
 */
export interface IHypothesis {
  /** A short stable id ("h-3f9a1c"). */
  id: string;
  statement: string;
  /** DiscoveryBench's split: the context (population, conditions), variables, relationship. */
  context: string;
  variables: string[];
  relationship: string;
  h0: string;
  h1: string;
  test: IHypothesisTest;
  rationale: string;
  assumptions: string[];
  status: HypothesisStatus;
  evidence?: IHypothesisEvidence | null;
  /** The Markdown cell stating it and the code cell testing it, once accepted. */
  statementCellId?: string | null;
  testCellId?: string | null;
  /** The scientist's override of the computed status, with their note (kept). */
  override?: { status: HypothesisStatus; note: string; at: string } | null;
  /** Where it came from. */
  provenance: { model: string; requestId: string | null; toolUseId: string; createdAt: string };
  /** When it was last changed. */
  updatedAt: string;
}

/**
 * A hypothesis Claude proposed, as the scientist reviews it on its card.
 */
export interface IHypothesisProposal {
  /** The record as it would be stored if accepted. */
  readonly hypothesis: IHypothesis;
  readonly status: 'pending' | 'accepted' | 'rejected' | 'failed';
  readonly reason?: string;
}

/**
 * One row of the ledger: a hypothesis with its evidence judged across the family of tests run.
 */
export interface IHypothesisLedgerRow {
  hypothesis: IHypothesis;
  /** The raw p-value, or null when no test has reported one. */
  rawP: number | null;
  /** The p-value adjusted across the family (every test run in the notebook), or null. */
  adjustedP: number | null;
  /** The status from the raw p-value and the record's criteria (ignoring any override). */
  status: HypothesisStatus;
  /** The status from the adjusted p-value: the verdict to report. */
  correctedStatus: HypothesisStatus;
  /** What the ledger shows: the scientist's override, else the corrected verdict. */
  effectiveStatus: HypothesisStatus;
  /** Why the corrected verdict is what it is, in a short sentence. */
  reason: string;
}

/**
 * Multiple-testing corrections the ledger offers.
 */
export type CorrectionMethod = 'holm' | 'bh';

/**
 * The hypotheses of one notebook: proposals waiting for the scientist, and the ledger kept
 * in the notebook's metadata.
 */
export interface INotebookHypotheses {
  readonly proposals: ReadonlyArray<IHypothesisProposal>;
  /** The multiple-testing correction of this notebook's ledger (Holm until the scientist picks another). */
  correction: CorrectionMethod;
  /** Emitted with the new method when the correction changes. */
  readonly correctionChanged: ISignal<INotebookHypotheses, CorrectionMethod>;
  /** The ledger rows under a correction (this notebook's, by default). */
  rows(method?: CorrectionMethod): IHypothesisLedgerRow[];
  /** Emitted when a proposal or the ledger changes. */
  readonly changed: ISignal<INotebookHypotheses, void>;
  /** Accept for testing: insert its statement and test cells (running the test only if asked). */
  accept(id: string, options?: { run?: boolean }): Promise<void>;
  reject(id: string, reason?: string): void;
  /** The scientist's verdict over the computed one, with a note that is kept. */
  override(id: string, status: HypothesisStatus, note: string): void;
  clearOverride(id: string): void;
  /** The ledger as a Markdown report citing the test cells. */
  report(method: CorrectionMethod): string;
  /** Insert the report as a Markdown cell at the end of the notebook (the scientist's click). */
  insertReport(method: CorrectionMethod): string | null;
  /** Save the report beside the notebook; resolves to the file's path. */
  saveReport(method: CorrectionMethod): Promise<string>;
  /** Show a cell of the notebook. */
  revealCell(cellId: string): void;
  /** Run a hypothesis' test cell (the scientist's click). */
  runTest(id: string): Promise<void>;
  /** A `propose_hypothesis` call: a card for the scientist; resolves with their decision. */
  propose(input: unknown, call: IToolCallInfo): Promise<IToolResult>;
  /** The ledger as Claude reads it (`read_hypotheses`). */
  readForClaude(method?: CorrectionMethod): IToolResult;
  /** The scientist stopped the answer: settle every hypothesis still waiting. */
  cancelPending(): void;
}
