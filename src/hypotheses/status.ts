/*
 * A hypothesis' status, from its test's result. The rules, in order:
 *
 * 1. Retired stays retired. With no result yet, a proposed hypothesis stays proposed and any
 *    other is accepted (awaiting its test).
 * 2. The test cell failed (an error output): not_tested. A failed test is never a refutation.
 * 3. No p-value (missing, null, NaN): inconclusive.
 * 4. p <= alpha (significant):
 *    - the effect is in the expected direction (or the direction is "any", or no effect was
 *      reported) and, when min_effect is set, |effect| >= min_effect: supported;
 *    - the effect is in the opposite direction: refuted;
 *    - the effect is smaller than min_effect, or min_effect is set and no effect was
 *      reported, or the effect is exactly 0 against an expected sign: inconclusive.
 * 5. p > alpha (not significant):
 *    - a one-sided test ("greater" or "less") whose effect points the other way: refuted;
 *    - min_effect is set and the confidence interval excludes every effect at least that
 *      large in the expected direction (a confident null): refuted. For "positive" that is
 *      ci.high < min_effect, for "negative" ci.low > -min_effect, for "any" both;
 *    - otherwise: inconclusive (absence of evidence is not evidence of absence).
 *
 * The expected direction is test.expectedDirection; when that is "any", a one-sided
 * alternative gives it ("greater" = positive, "less" = negative).
 *
 * The decision uses the raw p-value unless `pForDecision` is given (the ledger passes the
 * p-value adjusted for multiple testing). The scientist's override does not change the
 * computed status; it wins only for display (`effectiveStatus`).
 */
import type { HypothesisStatus, IHypothesis, IHypothesisEvidence, IHypothesisTest } from './tokens';

/**
 * A status and the reason for it, in a short sentence.
 */
export interface IAssessment {
  status: HypothesisStatus;
  reason: string;
}

/**
 * The status the rules above give (ignores the override).
 */
export function computeStatus(
  h: IHypothesis,
  evidence: IHypothesisEvidence | null | undefined,
  pForDecision?: number | null
): HypothesisStatus {
  return assessHypothesis(h, evidence, pForDecision).status;
}

/**
 * The status shown to the scientist: their override if they made one, else the record's.
 */
export function effectiveStatus(h: IHypothesis): HypothesisStatus {
  return h.override?.status ?? h.status;
}

/**
 * The status and why, by the rules above.
 */
export function assessHypothesis(
  h: IHypothesis,
  evidence: IHypothesisEvidence | null | undefined,
  pForDecision?: number | null
): IAssessment {
  if (h.status === 'retired') {
    return { status: 'retired', reason: 'retired' };
  }
  if (!evidence) {
    return h.status === 'proposed'
      ? { status: 'proposed', reason: 'not accepted yet' }
      : { status: 'accepted', reason: 'awaiting its test' };
  }
  if (evidence.error) {
    return { status: 'not_tested', reason: `the test cell failed (${evidence.error})` };
  }
  const p = pForDecision === undefined ? evidence.pValue : pForDecision;
  const pName = pForDecision === undefined ? 'p' : 'adjusted p';
  if (typeof p !== 'number' || !Number.isFinite(p)) {
    return { status: 'inconclusive', reason: 'the test reported no p-value' };
  }
  const { alpha, alternative, minEffect } = h.test;
  const direction = Private.direction(h.test);
  const effect =
    typeof evidence.effectSize === 'number' && Number.isFinite(evidence.effectSize) ? evidence.effectSize : null;
  const hasMin = typeof minEffect === 'number' && Number.isFinite(minEffect);
  const pText = `${pName} = ${formatNumber(p)}`;

  if (p <= alpha) {
    const significant = `${pText} <= alpha = ${alpha}`;
    if (effect !== null && direction !== 0 && Math.sign(effect) === -direction) {
      return {
        status: 'refuted',
        reason: `${significant}, but the effect (${formatNumber(effect)}) is in the opposite direction`
      };
    }
    if (effect !== null && direction !== 0 && effect === 0) {
      return { status: 'inconclusive', reason: `${significant}, but the effect is 0` };
    }
    if (hasMin) {
      if (effect === null) {
        return {
          status: 'inconclusive',
          reason: `${significant}, but no effect size was reported to compare with min_effect = ${minEffect}`
        };
      }
      if (Math.abs(effect) < minEffect!) {
        return {
          status: 'inconclusive',
          reason: `${significant}, but |effect| = ${formatNumber(Math.abs(effect))}` + ` < min_effect = ${minEffect}`
        };
      }
    }
    return {
      status: 'supported',
      reason: effect === null ? significant : `${significant}, effect ${formatNumber(effect)} as expected`
    };
  }

  const notSignificant = `${pText} > alpha = ${alpha}`;
  if (alternative !== 'two-sided' && effect !== null && direction !== 0 && Math.sign(effect) === -direction) {
    return {
      status: 'refuted',
      reason:
        `${notSignificant} and the effect (${formatNumber(effect)})` + ' points away from the one-sided alternative'
    };
  }
  const ci = evidence.ci;
  if (hasMin && ci && Number.isFinite(ci[0]) && Number.isFinite(ci[1])) {
    const [low, high] = ci;
    const excludes =
      direction > 0 ? high < minEffect! : direction < 0 ? low > -minEffect! : low > -minEffect! && high < minEffect!;
    if (excludes) {
      return {
        status: 'refuted',
        reason:
          `${notSignificant} and the interval [${formatNumber(low)}, ${formatNumber(high)}]` +
          ` excludes effects as large as min_effect = ${minEffect}`
      };
    }
  }
  return { status: 'inconclusive', reason: notSignificant };
}

/**
 * What would support and what would refute, in words, fixed before the test runs (the rules
 * above, for this test).
 */
export function describeCriteria(test: IHypothesisTest): { supported: string; refuted: string } {
  const hasMin = typeof test.minEffect === 'number' && Number.isFinite(test.minEffect);
  const measure = test.effectMeasure ? ` (${test.effectMeasure})` : '';
  const direction = Private.direction(test);
  const sign = direction > 0 ? 'positive' : direction < 0 ? 'negative' : null;
  const size = hasMin ? ` with |effect| >= ${test.minEffect}` : '';
  const supported = `p <= ${test.alpha} and the effect${measure} is ` + (sign ? sign : 'of either sign') + size;
  const refuted: string[] = [];
  if (sign) {
    refuted.push(`p <= ${test.alpha} with a ${sign === 'positive' ? 'negative' : 'positive'} effect`);
  }
  if (sign && test.alternative !== 'two-sided') {
    refuted.push(`p > ${test.alpha} with the effect pointing away from the one-sided alternative`);
  }
  if (hasMin) {
    refuted.push(
      `p > ${test.alpha} with a confidence interval that ` +
        (sign === 'positive'
          ? `excludes every effect >= ${test.minEffect}`
          : sign === 'negative'
            ? `excludes every effect <= -${test.minEffect}`
            : `lies within (-${test.minEffect}, ${test.minEffect})`)
    );
  }
  return {
    supported,
    refuted:
      refuted.length > 0 ? refuted.join('; or ') : 'no result can refute it; a non-significant result is inconclusive'
  };
}

/**
 * A number for people: 4 significant digits, small p-values in exponent form.
 */
export function formatNumber(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return 'NaN';
  }
  if (value !== 0 && Math.abs(value) < 1e-4) {
    return value.toExponential(2);
  }
  return String(Number(value.toPrecision(4)));
}

namespace Private {
  /**
   * +1, -1, or 0 when any sign would do.
   */
  export function direction(test: IHypothesisTest): number {
    switch (test.expectedDirection) {
      case 'positive':
        return 1;
      case 'negative':
        return -1;
      default:
        return test.alternative === 'greater' ? 1 : test.alternative === 'less' ? -1 : 0;
    }
  }
}
