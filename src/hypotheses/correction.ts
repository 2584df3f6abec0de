/*
 * Multiple-testing corrections: adjusted p-values that match statsmodels'
 * `multipletests(method='holm')` and `multipletests(method='fdr_bh')` to the last bit.
 */

/**
 * Holm's step-down adjustment (controls the family-wise error rate).
 *
 * Returns adjusted p-values in the input order, monotone in the raw p-values and capped at
 * 1. Entries that are not finite numbers (a test with no p-value) come back as NaN and do
 * not count in the family size.
 */
export function holm(pValues: ReadonlyArray<number | null>): number[] {
  return Private.adjust(pValues, sorted => {
    const m = sorted.length;
    const adjusted = sorted.map((p, i) => p * (m - i));
    for (let i = 1; i < m; i++) {
      adjusted[i] = Math.max(adjusted[i], adjusted[i - 1]);
    }
    return adjusted;
  });
}

/**
 * Benjamini–Hochberg's step-up adjustment (controls the false discovery rate).
 *
 * Same conventions as `holm`.
 */
export function benjaminiHochberg(pValues: ReadonlyArray<number | null>): number[] {
  return Private.adjust(pValues, sorted => {
    const m = sorted.length;
    // Divided by the rank's quantile, as statsmodels does, so the floats come out the same.
    const adjusted = sorted.map((p, i) => p / ((i + 1) / m));
    for (let i = m - 2; i >= 0; i--) {
      adjusted[i] = Math.min(adjusted[i], adjusted[i + 1]);
    }
    return adjusted;
  });
}

namespace Private {
  /**
   * Adjust the finite p-values, sorted ascending, and put the results back in input order.
   */
  export function adjust(
    pValues: ReadonlyArray<number | null>,
    sortedAdjustment: (sorted: number[]) => number[]
  ): number[] {
    const finite: number[] = [];
    pValues.forEach((p, i) => {
      if (typeof p === 'number' && Number.isFinite(p)) {
        finite.push(i);
      }
    });
    // Ties keep their input order; their adjusted values are equal whatever the order.
    finite.sort((a, b) => (pValues[a] as number) - (pValues[b] as number) || a - b);
    const adjusted = sortedAdjustment(finite.map(i => pValues[i] as number));
    const result = pValues.map(() => NaN);
    finite.forEach((index, rank) => {
      result[index] = Math.min(adjusted[rank], 1);
    });
    return result;
  }
}
