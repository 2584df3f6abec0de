/*
 * The `propose_hypothesis` tool's name and input schema, on their own: the tool is registered
 * at start-up, and checking an input (`record.ts`) loads with the hypotheses.
 */

/**
 * The tool's name.
 */
export const PROPOSE_HYPOTHESIS_TOOL = 'propose_hypothesis';

/**
 * The input schema of the `propose_hypothesis` tool, usable as a Messages API `input_schema`.
 */
export const HYPOTHESIS_INPUT_SCHEMA: {
  type: 'object';
  properties: Record<string, unknown>;
  required: string[];
} = {
  type: 'object',
  properties: {
    statement: {
      type: 'string',
      description: 'The hypothesis in one sentence, as a claim about the data.'
    },
    context: {
      type: 'string',
      description: 'The population and conditions it holds in (which rows, which period, which subgroup).'
    },
    variables: {
      type: 'array',
      items: { type: 'string' },
      minItems: 1,
      description: 'The columns or variables it is about, by their names in the data.'
    },
    relationship: {
      type: 'string',
      description: 'How the variables relate, e.g. "higher X goes with lower Y".'
    },
    h0: { type: 'string', description: 'The null hypothesis the test can reject.' },
    h1: { type: 'string', description: 'The alternative hypothesis.' },
    test: {
      type: 'object',
      description: 'How it is tested and what would count as support, fixed before the test runs.',
      properties: {
        method: {
          type: 'string',
          description: 'The test, e.g. "Welch t-test", "OLS coefficient", "chi-square", "permutation test".'
        },
        code: {
          type: 'string',
          description:
            'Python code that runs the test on the data in the kernel and leaves a dict named ' +
            '`result` with keys statistic, statistic_name, p_value, effect_size, ' +
            'ci ([low, high] or None), ci_level and n. ' +
            'The extension appends a footer that reports `result`.'
        },
        alpha: {
          type: 'number',
          exclusiveMinimum: 0,
          exclusiveMaximum: 1,
          default: 0.05,
          description: 'The significance level.'
        },
        alternative: {
          type: 'string',
          enum: ['two-sided', 'greater', 'less'],
          description: 'The alternative the p-value is for.'
        },
        expected_direction: {
          type: 'string',
          enum: ['positive', 'negative', 'any'],
          description: 'The sign of the effect that would support H1 (`any` for a claim without a direction).'
        },
        min_effect: {
          type: 'number',
          minimum: 0,
          description:
            'The smallest effect (absolute value, in the units of effect_size) that would ' +
            'count as support. ' +
            'With it, a confident null (the interval excludes effects this large) refutes the hypothesis.'
        },
        effect_measure: {
          type: 'string',
          description: 'What effect_size measures, e.g. "difference in means", "Cohen\'s d", "slope".'
        }
      },
      required: ['method', 'code', 'alternative', 'expected_direction', 'effect_measure']
    },
    rationale: { type: 'string', description: 'Why this hypothesis is worth testing here.' },
    assumptions: {
      type: 'array',
      items: { type: 'string' },
      description: 'What the test assumes (independence, normality, no confounding by ...).'
    }
  },
  required: ['statement', 'context', 'variables', 'relationship', 'h0', 'h1', 'test', 'rationale', 'assumptions']
};
