import { assessHypothesis, computeStatus, describeCriteria, effectiveStatus } from '../status';
import { evidence, hypothesis } from './fixtures';

// The fixture expects a negative effect (lower wealth for the ever jailed), two-sided, alpha 0.05.

describe('computeStatus', () => {
  describe('before there is a result', () => {
    it('says an accepted hypothesis awaits its test', () => {
      expect(computeStatus(hypothesis({ status: 'accepted' }), null)).toBe('accepted');
      expect(computeStatus(hypothesis({ status: 'supported' }), undefined)).toBe('accepted');
    });

    it('keeps a proposed hypothesis proposed and a retired one retired', () => {
      expect(computeStatus(hypothesis({ status: 'proposed' }), null)).toBe('proposed');
      expect(computeStatus(hypothesis({ status: 'retired' }), null)).toBe('retired');
    });

    it('keeps a retired hypothesis retired whatever its test said', () => {
      expect(computeStatus(hypothesis({ status: 'retired' }), evidence({ pValue: 0.001 }))).toBe('retired');
    });
  });

  it('calls a failed test cell not tested, never refuted', () => {
    const failed = evidence({ error: "KeyError: 'wealth'", pValue: null, effectSize: null, statistic: null });
    expect(computeStatus(hypothesis(), failed)).toBe('not_tested');
    // Even with a minimum effect and one-sided alternative, which could otherwise refute.
    const strict = hypothesis({}, { alternative: 'less', minEffect: 1000 });
    expect(computeStatus(strict, failed)).toBe('not_tested');
  });

  it('calls a test without a p-value inconclusive', () => {
    expect(computeStatus(hypothesis(), evidence({ pValue: null }))).toBe('inconclusive');
    expect(computeStatus(hypothesis(), evidence({ pValue: NaN }))).toBe('inconclusive');
  });

  describe('when p <= alpha', () => {
    it('supports a hypothesis whose effect goes the expected way', () => {
      expect(computeStatus(hypothesis(), evidence({ pValue: 0.001, effectSize: -30000 }))).toBe('supported');
    });

    it('counts p exactly at alpha as significant', () => {
      expect(computeStatus(hypothesis(), evidence({ pValue: 0.05 }))).toBe('supported');
    });

    it('supports any significant effect when the direction is "any", and when no effect was reported', () => {
      const any = hypothesis({}, { expectedDirection: 'any' });
      expect(computeStatus(any, evidence({ effectSize: 12 }))).toBe('supported');
      expect(computeStatus(any, evidence({ effectSize: -12 }))).toBe('supported');
      expect(computeStatus(hypothesis(), evidence({ effectSize: null }))).toBe('supported');
    });

    it('refutes a hypothesis whose significant effect goes the other way', () => {
      const a = assessHypothesis(hypothesis(), evidence({ pValue: 0.002, effectSize: 25000, ci: [9000, 41000] }));
      expect(a.status).toBe('refuted');
      expect(a.reason).toBe('p = 0.002 <= alpha = 0.05, but the effect (25000) is in the opposite direction');
    });

    it('calls a significant effect smaller than the minimum effect inconclusive', () => {
      const h = hypothesis({}, { minEffect: 5000 });
      const a = assessHypothesis(h, evidence({ pValue: 0.01, effectSize: -1200, ci: [-2100, -300] }));
      expect(a.status).toBe('inconclusive');
      expect(a.reason).toBe('p = 0.01 <= alpha = 0.05, but |effect| = 1200 < min_effect = 5000');
      expect(computeStatus(h, evidence({ pValue: 0.01, effectSize: -5000 }))).toBe('supported');
    });

    it('cannot support a minimum effect when no effect was reported', () => {
      const h = hypothesis({}, { minEffect: 5000 });
      expect(computeStatus(h, evidence({ effectSize: null }))).toBe('inconclusive');
    });
  });

  describe('when p > alpha', () => {
    it('calls an underpowered null inconclusive, not refuted', () => {
      const a = assessHypothesis(hypothesis(), evidence({ pValue: 0.31, effectSize: -800, ci: [-2400, 800] }));
      expect(a).toEqual({ status: 'inconclusive', reason: 'p = 0.31 > alpha = 0.05' });
    });

    it('refutes when the interval excludes every effect as large as the minimum (a well-powered null)', () => {
      const h = hypothesis({}, { minEffect: 5000 });
      const a = assessHypothesis(h, evidence({ pValue: 0.4, effectSize: -600, ci: [-2000, 800] }));
      expect(a.status).toBe('refuted');
      expect(a.reason).toBe(
        'p = 0.4 > alpha = 0.05 and the interval [-2000, 800] excludes effects as large as min_effect = 5000'
      );
    });

    it('stays inconclusive when the interval still reaches the minimum effect', () => {
      const h = hypothesis({}, { minEffect: 5000 });
      expect(computeStatus(h, evidence({ pValue: 0.2, effectSize: -2000, ci: [-6000, 2000] }))).toBe('inconclusive');
      // The boundary itself is not excluded.
      expect(computeStatus(h, evidence({ pValue: 0.2, effectSize: -2000, ci: [-5000, 2000] }))).toBe('inconclusive');
      // No interval, no refutation.
      expect(computeStatus(h, evidence({ pValue: 0.2, effectSize: -100, ci: null }))).toBe('inconclusive');
    });

    it('looks at the side of the interval the expected direction names', () => {
      const positive = hypothesis({}, { expectedDirection: 'positive', minEffect: 0.3 });
      expect(computeStatus(positive, evidence({ pValue: 0.5, effectSize: 0.05, ci: [-0.1, 0.2] }))).toBe('refuted');
      expect(computeStatus(positive, evidence({ pValue: 0.5, effectSize: 0.05, ci: [-0.4, 0.35] }))).toBe(
        'inconclusive'
      );
      const any = hypothesis({}, { expectedDirection: 'any', minEffect: 0.3 });
      expect(computeStatus(any, evidence({ pValue: 0.5, effectSize: 0.05, ci: [-0.2, 0.25] }))).toBe('refuted');
      expect(computeStatus(any, evidence({ pValue: 0.5, effectSize: 0.05, ci: [-0.35, 0.25] }))).toBe('inconclusive');
    });

    it('refutes a one-sided test whose effect points away from its alternative', () => {
      const less = hypothesis({}, { alternative: 'less' });
      expect(computeStatus(less, evidence({ pValue: 0.93, effectSize: 4000, ci: null }))).toBe('refuted');
      const greater = hypothesis({}, { alternative: 'greater', expectedDirection: 'any' });
      expect(computeStatus(greater, evidence({ pValue: 0.88, effectSize: -0.4, ci: null }))).toBe('refuted');
    });

    it('calls a one-sided test whose effect goes the right way but not far enough inconclusive', () => {
      const less = hypothesis({}, { alternative: 'less' });
      expect(computeStatus(less, evidence({ pValue: 0.08, effectSize: -900, ci: null }))).toBe('inconclusive');
      const greater = hypothesis({}, { alternative: 'greater', expectedDirection: 'positive' });
      expect(computeStatus(greater, evidence({ pValue: 0.07, effectSize: 0.2, ci: null }))).toBe('inconclusive');
    });

    it('does not refute a two-sided test just because the effect points the other way', () => {
      expect(computeStatus(hypothesis(), evidence({ pValue: 0.6, effectSize: 300, ci: [-900, 1500] }))).toBe(
        'inconclusive'
      );
    });
  });

  it('decides on the p-value it is given instead of the raw one', () => {
    const e = evidence({ pValue: 0.04 });
    expect(computeStatus(hypothesis(), e)).toBe('supported');
    expect(computeStatus(hypothesis(), e, 0.4)).toBe('inconclusive');
    expect(assessHypothesis(hypothesis(), e, 0.4).reason).toBe('adjusted p = 0.4 > alpha = 0.05');
    expect(computeStatus(hypothesis(), e, null)).toBe('inconclusive');
  });

  it('uses the alpha the hypothesis fixed', () => {
    const strict = hypothesis({}, { alpha: 0.01 });
    expect(computeStatus(strict, evidence({ pValue: 0.03 }))).toBe('inconclusive');
  });
});

describe('effectiveStatus', () => {
  it('shows the override, while the computed status ignores it', () => {
    const h = hypothesis({
      status: 'supported',
      evidence: evidence(),
      override: {
        status: 'refuted',
        note: 'Wealth is top-coded; the t-test is misleading here.',
        at: '2025-05-02T09:00:00.000Z'
      }
    });
    expect(effectiveStatus(h)).toBe('refuted');
    expect(computeStatus(h, h.evidence)).toBe('supported');
    expect(h.override?.note).toBe('Wealth is top-coded; the t-test is misleading here.');
  });

  it('shows the record status when there is no override', () => {
    expect(effectiveStatus(hypothesis({ status: 'inconclusive' }))).toBe('inconclusive');
  });
});

describe('describeCriteria', () => {
  it('states what would support and what would refute, before the test runs', () => {
    const c = describeCriteria(hypothesis({}, { minEffect: 5000 }).test);
    expect(c.supported).toBe(
      'p <= 0.05 and the effect (difference in mean wealth (USD)) is negative with |effect| >= 5000'
    );
    expect(c.refuted).toBe(
      'p <= 0.05 with a positive effect; or p > 0.05 with a confidence interval that excludes every effect <= -5000'
    );
  });

  it('says when nothing could refute a two-sided claim without a minimum effect', () => {
    const c = describeCriteria(hypothesis({}, { expectedDirection: 'any' }).test);
    expect(c.refuted).toBe('no result can refute it; a non-significant result is inconclusive');
  });
});
