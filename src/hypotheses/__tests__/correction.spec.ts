import { benjaminiHochberg, holm } from '../correction';
import reference from './reference/reference.json';

interface ICase {
  name: string;
  p_values: Array<number | null>;
  holm: Array<number | null>;
  bh: Array<number | null>;
}

const cases = (reference as { cases: ICase[] }).cases;

function expectClose(actual: number[], expected: Array<number | null>): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => {
    const want = expected[i];
    if (want === null) {
      expect(value).toBeNaN();
    } else {
      expect(Math.abs(value - want)).toBeLessThanOrEqual(1e-12);
    }
  });
}

describe('holm', () => {
  it.each(cases.map(c => [c.name, c] as const))('matches statsmodels: %s', (_, c) => {
    expectClose(holm(c.p_values), c.holm);
  });

  it('keeps a tenth test at p = 0.04 from being called a discovery', () => {
    const adjusted = holm([0.2, 0.31, 0.45, 0.52, 0.6, 0.68, 0.74, 0.83, 0.91, 0.04]);
    expect(adjusted[9]).toBeCloseTo(0.4, 12);
  });

  it('returns nothing for no p-values', () => {
    expect(holm([])).toEqual([]);
  });

  it('never lowers a p-value and never goes above 1', () => {
    const raw = [0.9, 0.001, 0.5, 0.02, 0.02, 1, 0.3];
    const adjusted = holm(raw);
    adjusted.forEach((a, i) => {
      expect(a).toBeGreaterThanOrEqual(raw[i]);
      expect(a).toBeLessThanOrEqual(1);
    });
    // Monotone: a smaller raw p never gets a larger adjusted p.
    for (let i = 0; i < raw.length; i++) {
      for (let j = 0; j < raw.length; j++) {
        if (raw[i] <= raw[j]) {
          expect(adjusted[i]).toBeLessThanOrEqual(adjusted[j]);
        }
      }
    }
  });
});

describe('benjaminiHochberg', () => {
  it.each(cases.map(c => [c.name, c] as const))('matches statsmodels: %s', (_, c) => {
    expectClose(benjaminiHochberg(c.p_values), c.bh);
  });

  it('passes NaN through and leaves it out of the family size', () => {
    const adjusted = benjaminiHochberg([0.01, NaN, 0.02]);
    expect(adjusted[1]).toBeNaN();
    // m = 2, not 3.
    expect(adjusted[0]).toBeCloseTo(0.02, 12);
    expect(adjusted[2]).toBeCloseTo(0.02, 12);
  });
});

describe('the reference values', () => {
  it('cover ties, a tenth test at 0.04, all-equal, a single value, values at 1, unsorted input and missing values', () => {
    const names = cases.map(c => c.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'ties',
        'a tenth test at 0.04 among nine with p >= 0.2',
        'all equal',
        'a single value',
        'values at 1',
        'unsorted',
        'missing p-values are left out of the family'
      ])
    );
  });
});
