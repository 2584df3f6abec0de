import { nullTranslator } from '@jupyterlab/translation';
import { evidence, hypothesis } from '../../hypotheses/__tests__/fixtures';
import { buildLedger } from '../../hypotheses/ledger';
import { TRANSLATION_DOMAIN } from '../../translation';
import {
  evidenceText,
  familyText,
  formatP,
  formatValue,
  overrideText,
  statusLabel,
  testCriteria,
  verdictText
} from '../hypothesisFormat';

const trans = nullTranslator.load(TRANSLATION_DOMAIN);

describe('hypothesis formatters', () => {
  it('writes p-values as people do', () => {
    expect(formatP(0.0481)).toBe('0.048');
    expect(formatP(0.00412)).toBe('0.0041');
    expect(formatP(0.00002)).toBe('2.0e-5');
    expect(formatP(null)).toBe('–');
    expect(formatP(NaN)).toBe('–');
  });

  it('writes statistics with four significant digits, exponents only when far from 1', () => {
    expect(formatValue(-4.1234567)).toBe('-4.123');
    expect(formatValue(0)).toBe('0');
    expect(formatValue(0.0001234)).toBe('1.23e-4');
    expect(formatValue(Infinity)).toBe('Infinity');
  });

  it('names statuses for the scientist', () => {
    expect(statusLabel(trans, 'accepted')).toBe('awaiting test');
    expect(statusLabel(trans, 'not_tested')).toBe('not tested');
  });

  it('states the test and what would count as support', () => {
    expect(testCriteria(trans, hypothesis())).toBe(
      'Welch t-test, α = 0.05, two-sided support: p ≤ α and a negative effect (difference in mean wealth (USD))'
    );
    expect(testCriteria(trans, hypothesis({}, { expectedDirection: 'any', minEffect: 2, effectMeasure: '' }))).toBe(
      'Welch t-test, α = 0.05, two-sided support: p ≤ α of at least 2'
    );
  });

  it('puts the evidence of a row in one line, with the adjusted p of its family', () => {
    const tested = hypothesis({ id: 'h-1', evidence: evidence({ pValue: 0.03, n: 289, ci: null }) });
    const other = hypothesis({ id: 'h-2', evidence: evidence({ pValue: 0.04 }) });
    const [row] = buildLedger([tested, other], 'holm');
    expect(evidenceText(trans, row)).toBe('t = -4.1 · p = 0.030 · adjusted p = 0.060 · effect -30,000 · n = 289');
    expect(verdictText(trans, row)).toBe('On its own: supported · after correction: inconclusive');
  });

  it('says when there is no result yet, or the test cell failed', () => {
    const [waiting, failed] = buildLedger(
      [hypothesis({ id: 'h-1' }), hypothesis({ id: 'h-2', evidence: evidence({ error: "KeyError: 'x'" }) })],
      'bh'
    );
    expect(evidenceText(trans, waiting)).toBe('No result yet: run the test cell.');
    expect(evidenceText(trans, failed)).toBe("Test cell failed: KeyError: 'x'");
  });

  it('names the correction and its family, and the scientist override', () => {
    expect(familyText(trans, 'holm', 2)).toBe('Holm across the 2 tests run in this notebook');
    expect(familyText(trans, 'bh', 1)).toBe('Benjamini-Hochberg across the 1 tests run in this notebook');
    expect(overrideText(trans, hypothesis())).toBe('');
    expect(
      overrideText(trans, hypothesis({ override: { status: 'retired', note: 'wrong variable', at: '2025-05-01' } }))
    ).toBe('Set to retired by the scientist: wrong variable');
  });
});
