import type * as nbformat from '@jupyterlab/nbformat';
import type { PartialJSONObject } from '@lumino/coreutils';
import type { IHypothesis, IHypothesisEvidence, IHypothesisTest } from '../tokens';
import { HYPOTHESIS_RESULT_MIME, type IHypothesisResultPayload } from '../result';

/**
 * A hypothesis from the DiscoveryBench NLS incarceration data: wealth in 1996 by whether the
 * respondent was ever jailed.
 */
export function hypothesis(overrides: Partial<IHypothesis> = {}, test: Partial<IHypothesisTest> = {}): IHypothesis {
  return {
    id: 'h-3f9a1c',
    statement: 'Respondents who were ever jailed had lower composite wealth in 1996.',
    context: 'NLSY79 respondents with wealth reported in 1996.',
    variables: ['ever_jailed', 'composite_wealth_1996'],
    relationship: 'ever being jailed goes with lower wealth',
    h0: 'Mean 1996 wealth is the same for the ever jailed and the never jailed.',
    h1: 'Mean 1996 wealth is lower for the ever jailed.',
    test: {
      method: 'Welch t-test',
      code: [
        'from scipy import stats',
        "jailed = df.loc[df.ever_jailed == 1, 'composite_wealth_1996']",
        "free = df.loc[df.ever_jailed == 0, 'composite_wealth_1996']",
        't = stats.ttest_ind(jailed, free, equal_var=False)',
        'ci = t.confidence_interval(0.95)',
        "result = {'statistic': t.statistic, 'statistic_name': 't', 'p_value': t.pvalue,",
        "          'effect_size': jailed.mean() - free.mean(), 'ci': [ci.low, ci.high],",
        "          'ci_level': 0.95, 'n': len(jailed) + len(free)}"
      ].join('\n'),
      alpha: 0.05,
      alternative: 'two-sided',
      expectedDirection: 'negative',
      minEffect: null,
      effectMeasure: 'difference in mean wealth (USD)',
      ...test
    },
    rationale: 'Incarceration interrupts work and saving.',
    assumptions: ['independent respondents', 'means are meaningful despite skew'],
    status: 'accepted',
    evidence: null,
    statementCellId: null,
    testCellId: null,
    override: null,
    provenance: {
      model: 'claude-sonnet-4-5',
      requestId: 'req_011CQ',
      toolUseId: 'toolu_01',
      createdAt: '2025-05-01T10:00:00.000Z'
    },
    updatedAt: '2025-05-01T10:00:00.000Z',
    ...overrides
  };
}

/**
 * Evidence as the reader makes it.
 */
export function evidence(values: Partial<IHypothesisEvidence> = {}): IHypothesisEvidence {
  return {
    statistic: -4.1,
    statisticName: 't',
    pValue: 0.001,
    effectSize: -30000,
    ci: [-45000, -15000],
    ciLevel: 0.95,
    n: 6024,
    error: null,
    executionCount: 7,
    readAt: '2025-05-01T11:00:00.000Z',
    ...values
  };
}

/**
 * A result bundle as the footer displays it.
 */
export function resultOutput(
  values: { [K in keyof IHypothesisResultPayload]?: unknown } = {},
  outputType: 'display_data' | 'execute_result' = 'display_data'
): nbformat.IOutput {
  const payload = {
    hypothesis_id: 'h-3f9a1c',
    statistic: -4.1,
    statistic_name: 't',
    p_value: 0.001,
    effect_size: -30000,
    ci: [-45000, -15000],
    ci_level: 0.95,
    n: 6024,
    ...values
  };
  const output: nbformat.IOutput = {
    output_type: outputType,
    metadata: {},
    data: {
      [HYPOTHESIS_RESULT_MIME]: payload as PartialJSONObject,
      'text/plain': `${payload.hypothesis_id}: t = ${payload.statistic}, p = ${payload.p_value}`
    }
  };
  if (outputType === 'execute_result') {
    output.execution_count = 7;
  }
  return output;
}

export function errorOutput(ename = 'KeyError', evalue = "'composite_wealth_1996'"): nbformat.IOutput {
  return {
    output_type: 'error',
    ename,
    evalue,
    traceback: [`${ename}: ${evalue}`]
  };
}

export function streamOutput(text: string): nbformat.IOutput {
  return { output_type: 'stream', name: 'stdout', text };
}
