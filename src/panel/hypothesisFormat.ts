/*
 * How the panel words hypotheses: statuses, p-values, test criteria, evidence and verdicts.
 * Pure text (no DOM), shared by the hypothesis cards and the ledger.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { CorrectionMethod, HypothesisStatus, IHypothesis, IHypothesisLedgerRow } from '../hypotheses/tokens';

/**
 * How the scientist reads a status.
 */
export function statusLabel(trans: TranslationBundle, status: HypothesisStatus): string {
  switch (status) {
    case 'proposed':
      return trans.__('proposed');
    case 'accepted':
      return trans.__('awaiting test');
    case 'supported':
      return trans.__('supported');
    case 'refuted':
      return trans.__('refuted');
    case 'inconclusive':
      return trans.__('inconclusive');
    case 'not_tested':
      return trans.__('not tested');
    case 'retired':
      return trans.__('retired');
  }
}

/**
 * The statuses the scientist may set by hand, in the order offered.
 */
export const OVERRIDE_STATUSES: ReadonlyArray<HypothesisStatus> = [
  'supported',
  'refuted',
  'inconclusive',
  'not_tested',
  'retired'
];

/**
 * A p-value as people write it.
 */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) {
    return '–';
  }
  return p < 0.001 ? p.toExponential(1) : p.toFixed(p < 0.01 ? 4 : 3);
}

/**
 * A statistic or an effect size: four significant digits, exponents for the very large or small.
 */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) {
    return String(value);
  }
  const abs = Math.abs(value);
  return abs !== 0 && (abs >= 1e6 || abs < 1e-3)
    ? value.toExponential(2)
    : Number(value.toPrecision(4)).toLocaleString();
}

/**
 * The test and what would count as support ("Welch t-test, α = 0.05, two-sided support: ...").
 */
export function testCriteria(trans: TranslationBundle, h: IHypothesis): string {
  const test = h.test;
  return [
    trans.__('%1, α = %2, %3', test.method, String(test.alpha), test.alternative),
    test.expectedDirection === 'any'
      ? trans.__('support: p ≤ α')
      : trans.__('support: p ≤ α and a %1 effect', test.expectedDirection),
    test.minEffect ? trans.__('of at least %1', String(test.minEffect)) : '',
    test.effectMeasure ? `(${test.effectMeasure})` : ''
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * A ledger row's evidence in one line (statistic, p, adjusted p, effect with its interval, n).
 */
export function evidenceText(trans: TranslationBundle, row: IHypothesisLedgerRow): string {
  const e = row.hypothesis.evidence;
  if (e?.error) {
    return trans.__('Test cell failed: %1', e.error);
  }
  if (!e) {
    return trans.__('No result yet: run the test cell.');
  }
  return [
    e.statistic !== null ? `${e.statisticName ?? trans.__('statistic')} = ${formatValue(e.statistic)}` : '',
    `p = ${formatP(row.rawP)}`,
    row.adjustedP !== null ? trans.__('adjusted p = %1', formatP(row.adjustedP)) : '',
    e.effectSize !== null
      ? trans.__('effect %1', formatValue(e.effectSize)) +
        (e.ci ? ` [${formatValue(e.ci[0])}, ${formatValue(e.ci[1])}]` : '')
      : '',
    e.n !== null ? `n = ${e.n}` : ''
  ]
    .filter(Boolean)
    .join(' · ');
}

/**
 * The verdict on its own and after the correction.
 */
export function verdictText(trans: TranslationBundle, row: IHypothesisLedgerRow): string {
  return trans.__(
    'On its own: %1 · after correction: %2',
    statusLabel(trans, row.status),
    statusLabel(trans, row.correctedStatus)
  );
}

/**
 * The scientist's override and their note, or '' without one.
 */
export function overrideText(trans: TranslationBundle, h: IHypothesis): string {
  return h.override
    ? trans.__('Set to %1 by the scientist: %2', statusLabel(trans, h.override.status), h.override.note)
    : '';
}

/**
 * The corrections offered, with what each controls.
 */
export function correctionChoices(trans: TranslationBundle): Array<[CorrectionMethod, string]> {
  return [
    ['holm', trans.__('Holm (family-wise error)')],
    ['bh', trans.__('Benjamini-Hochberg (false discovery rate)')]
  ];
}

/**
 * The correction and the size of its family ("Holm across the 2 tests run in this notebook").
 */
export function familyText(trans: TranslationBundle, method: CorrectionMethod, tested: number): string {
  return trans.__(
    '%1 across the %2 tests run in this notebook',
    method === 'holm' ? 'Holm' : 'Benjamini-Hochberg',
    tested
  );
}
