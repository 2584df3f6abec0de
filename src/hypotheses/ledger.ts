/*
 * The hypothesis ledger: every hypothesis with its evidence, corrected for multiple testing
 * across the family of tests that ran, as rows, as a Markdown report and as text for Claude.
 */
import type { CorrectionMethod, IHypothesis, IHypothesisLedgerRow as ILedgerRow } from './tokens';
import { benjaminiHochberg, holm } from './correction';
import { assessHypothesis, effectiveStatus, formatNumber } from './status';
import { clipText, cutText } from '../unicode';

/**
 * The multiple-testing correction (Holm: family-wise error; Benjamini–Hochberg: false
 * discovery rate), and one hypothesis in the ledger.
 */
export type { CorrectionMethod, IHypothesisLedgerRow as ILedgerRow } from './tokens';

/**
 * The ledger rows, in the order given. The family is every hypothesis whose test reported a
 * finite p-value (retired ones included: a test that ran counts, whatever happened after);
 * its size is the `m` of the correction.
 */
export function buildLedger(hypotheses: ReadonlyArray<IHypothesis>, method: CorrectionMethod): ILedgerRow[] {
  const raw = hypotheses.map(h => Private.rawP(h));
  const adjusted = method === 'holm' ? holm(raw) : benjaminiHochberg(raw);
  return hypotheses.map((h, i) => {
    const rawP = raw[i];
    const adjustedP = rawP === null ? null : adjusted[i];
    const computed = assessHypothesis(h, h.evidence);
    const corrected = rawP === null ? computed : assessHypothesis(h, h.evidence, adjustedP);
    let reason = corrected.reason;
    if (rawP !== null && computed.status !== corrected.status) {
      reason =
        `${computed.status} at raw p = ${formatNumber(rawP)}, ` + `but ${corrected.reason} (${correctionName(method)})`;
    }
    return {
      hypothesis: h,
      rawP,
      adjustedP,
      status: computed.status,
      correctedStatus: corrected.status,
      effectiveStatus: h.override ? effectiveStatus(h) : corrected.status,
      reason
    };
  });
}

/**
 * The number of tests in the family the rows were corrected over.
 */
export function familySize(rows: ReadonlyArray<ILedgerRow>): number {
  return rows.filter(r => r.rawP !== null).length;
}

/**
 * The correction's name, for people.
 */
export function correctionName(method: CorrectionMethod): string {
  return method === 'holm' ? 'Holm' : 'Benjamini–Hochberg';
}

/**
 * The ledger as a Markdown report, citing each hypothesis' test cell.
 */
export function ledgerToMarkdown(
  rows: ReadonlyArray<ILedgerRow>,
  method: CorrectionMethod,
  options: { notebookPath: string; cellLabel: (cellId: string) => string }
): string {
  const m = familySize(rows);
  const what =
    method === 'holm'
      ? 'Holm step-down adjustment, controlling the family-wise error rate'
      : 'Benjamini–Hochberg adjustment, controlling the false discovery rate';
  const lines: string[] = [
    `# Hypothesis ledger: ${options.notebookPath}`,
    '',
    `Correction for multiple testing: ${what}, over a family of ${m} test${m === 1 ? '' : 's'} ` +
      `that reported a p-value (of ${rows.length} hypothes${rows.length === 1 ? 'is' : 'es'}).`,
    ''
  ];
  rows.forEach((row, i) => {
    const h = row.hypothesis;
    const t = h.test;
    lines.push(`## ${i + 1}. ${Private.oneLine(h.statement)}`, '');
    lines.push(`- **Id**: \`${h.id}\``);
    lines.push(`- **H0**: ${Private.oneLine(h.h0)}`);
    lines.push(`- **H1**: ${Private.oneLine(h.h1)}`);
    lines.push(
      `- **Test**: ${Private.oneLine(t.method)}, ${t.alternative}, alpha = ${t.alpha}` +
        `, expected direction ${t.expectedDirection}` +
        Private.minEffect(h) +
        (t.effectMeasure ? ` (${Private.oneLine(t.effectMeasure)})` : '')
    );
    lines.push(`- **Evidence**: ${Private.evidence(row)}`);
    lines.push(`- **Verdict (corrected)**: ${row.correctedStatus}: ${row.reason}`);
    if (h.override) {
      lines.push(
        `- **Scientist's override**: ${h.override.status} (${h.override.at}): ` + Private.oneLine(h.override.note)
      );
    }
    if (h.testCellId) {
      lines.push(
        `- **Test cell**: ${options.cellLabel(h.testCellId)} (id \`${h.testCellId}\`)` +
          ` in \`${options.notebookPath}\``
      );
    }
    if (h.statementCellId) {
      lines.push(`- **Statement cell**: ${options.cellLabel(h.statementCellId)} (id \`${h.statementCellId}\`)`);
    }
    lines.push('');
  });
  return lines.join('\n');
}

/**
 * The ledger as compact text for Claude, at most `maxChars` long (about 8,000 by default):
 * hypotheses that do not fit are counted, not cut in the middle.
 */
export function ledgerForClaude(rows: ReadonlyArray<ILedgerRow>, method: CorrectionMethod, maxChars = 8000): string {
  const header =
    `Hypothesis ledger: ${rows.length} hypotheses; ${familySize(rows)} tests in the family; ` +
    `correction: ${correctionName(method)}.`;
  const reserve = Private.more(rows.length).length;
  let text = header;
  let shown = 0;
  for (const row of rows) {
    const h = row.hypothesis;
    const block = [
      '',
      `- ${h.id} [${row.effectiveStatus}] ${Private.clip(h.statement, 300)}`,
      `  test: ${Private.clip(h.test.method, 80)}, ${h.test.alternative}, alpha ${h.test.alpha}, ` +
        `expected ${h.test.expectedDirection}` +
        Private.minEffect(h) +
        (h.testCellId ? `; cell ${h.testCellId}` : ''),
      `  evidence: ${Private.evidence(row)}`,
      `  verdict: raw ${row.status}, corrected ${row.correctedStatus} (${Private.clip(row.reason, 300)})` +
        (h.override ? `; scientist's override: ${h.override.status} (${Private.clip(h.override.note, 200)})` : '')
    ].join('\n');
    const last = shown === rows.length - 1;
    if (text.length + block.length + (last ? 0 : reserve) > maxChars) {
      break;
    }
    text += block;
    shown++;
  }
  if (shown < rows.length) {
    text += Private.more(rows.length - shown);
  }
  return cutText(text, maxChars);
}

namespace Private {
  export function rawP(h: IHypothesis): number | null {
    const e = h.evidence;
    if (!e || e.error) {
      return null;
    }
    return typeof e.pValue === 'number' && Number.isFinite(e.pValue) ? e.pValue : null;
  }

  export function evidence(row: ILedgerRow): string {
    const e = row.hypothesis.evidence;
    if (!e) {
      return 'no result yet';
    }
    if (e.error) {
      return `the test cell failed: ${oneLine(e.error)}`;
    }
    const parts: string[] = [];
    if (e.statistic !== null) {
      parts.push(`${e.statisticName || 'statistic'} = ${formatNumber(e.statistic)}`);
    }
    parts.push(`p = ${formatNumber(e.pValue)}`);
    if (row.adjustedP !== null) {
      parts.push(`adjusted p = ${formatNumber(row.adjustedP)}`);
    }
    let effect = `effect = ${formatNumber(e.effectSize)}`;
    if (e.ci) {
      const level = e.ciLevel ? `${Math.round(e.ciLevel * 1000) / 10}% ` : '';
      effect += ` (${level}CI [${formatNumber(e.ci[0])}, ${formatNumber(e.ci[1])}])`;
    }
    parts.push(effect);
    parts.push(`n = ${e.n ?? 'unknown'}`);
    return parts.join(', ');
  }

  export function minEffect(h: IHypothesis): string {
    const min = h.test.minEffect;
    return typeof min === 'number' && Number.isFinite(min) ? `, min effect ${min}` : '';
  }

  export function oneLine(text: string): string {
    return text.replace(/\s+/g, ' ').trim();
  }

  export function clip(text: string, max: number): string {
    const line = oneLine(text);
    return clipText(line, max);
  }

  export function more(count: number): string {
    return `\n(${count} more hypothes${count === 1 ? 'is' : 'es'} not shown: ask for one by id.)`;
  }
}
