import { createHypothesis, HYPOTHESIS_INPUT_SCHEMA, validateHypothesisInput } from '../record';

function input(overrides: Record<string, unknown> = {}, test: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    statement: 'Respondents who were ever jailed had lower composite wealth in 1996.',
    context: 'NLSY79 respondents with wealth reported in 1996.',
    variables: ['ever_jailed', 'composite_wealth_1996'],
    relationship: 'ever being jailed goes with lower wealth',
    h0: 'Mean 1996 wealth is the same in both groups.',
    h1: 'Mean 1996 wealth is lower for the ever jailed.',
    test: {
      method: 'Welch t-test',
      code: "result = {'p_value': 0.01}",
      alternative: 'two-sided',
      expected_direction: 'negative',
      min_effect: 5000,
      effect_measure: 'difference in mean wealth (USD)',
      ...test
    },
    rationale: 'Incarceration interrupts work and saving.',
    assumptions: ['independent respondents'],
    ...overrides
  };
}

function errorOf(value: unknown): string {
  const check = validateHypothesisInput(value);
  if (check.ok) {
    throw new Error('expected a validation error');
  }
  return check.error;
}

describe('HYPOTHESIS_INPUT_SCHEMA', () => {
  it('is an object schema that requires every field the validator requires', () => {
    expect(HYPOTHESIS_INPUT_SCHEMA.type).toBe('object');
    expect(HYPOTHESIS_INPUT_SCHEMA.required).toEqual([
      'statement',
      'context',
      'variables',
      'relationship',
      'h0',
      'h1',
      'test',
      'rationale',
      'assumptions'
    ]);
    for (const field of HYPOTHESIS_INPUT_SCHEMA.required) {
      const rest = input();
      delete rest[field];
      expect(errorOf(rest)).toContain(`\`${field}\` is missing`);
    }
    const test = (HYPOTHESIS_INPUT_SCHEMA.properties.test as { properties: Record<string, any> }).properties;
    expect(test.alpha.default).toBe(0.05);
    expect(test.alternative.enum).toEqual(['two-sided', 'greater', 'less']);
    expect(test.expected_direction.enum).toEqual(['positive', 'negative', 'any']);
  });

  it('survives a JSON round trip, as it is sent to the API', () => {
    expect(JSON.parse(JSON.stringify(HYPOTHESIS_INPUT_SCHEMA))).toEqual(HYPOTHESIS_INPUT_SCHEMA);
  });
});

describe('validateHypothesisInput', () => {
  it('accepts a complete input and maps it to the record field names, with alpha defaulting to 0.05', () => {
    const check = validateHypothesisInput(input());
    expect(check).toEqual({
      ok: true,
      value: expect.objectContaining({
        statement: 'Respondents who were ever jailed had lower composite wealth in 1996.',
        variables: ['ever_jailed', 'composite_wealth_1996'],
        test: {
          method: 'Welch t-test',
          code: "result = {'p_value': 0.01}",
          alpha: 0.05,
          alternative: 'two-sided',
          expectedDirection: 'negative',
          minEffect: 5000,
          effectMeasure: 'difference in mean wealth (USD)'
        }
      })
    });
  });

  it('keeps an explicit alpha and leaves min_effect out when not given', () => {
    const check = validateHypothesisInput(input({}, { alpha: 0.01, min_effect: undefined }));
    expect(check.ok && check.value.test).toMatchObject({ alpha: 0.01, minEffect: null });
  });

  it('refuses what is not an object', () => {
    expect(errorOf('a hypothesis')).toBe('The input must be a JSON object with the fields of propose_hypothesis.');
    expect(errorOf(null)).toBe('The input must be a JSON object with the fields of propose_hypothesis.');
    expect(errorOf([input()])).toBe('The input must be a JSON object with the fields of propose_hypothesis.');
  });

  it('refuses an alpha outside (0, 1)', () => {
    for (const alpha of [0, 1, -0.05, 5, '0.05']) {
      expect(errorOf(input({}, { alpha }))).toBe(
        `The hypothesis was not recorded: \`test.alpha\` must be a number strictly between 0 and 1 (e.g. 0.05), not ${JSON.stringify(alpha)}.`
      );
    }
  });

  it('names the allowed values of an enum it does not know', () => {
    expect(errorOf(input({}, { alternative: 'one-sided' }))).toBe(
      'The hypothesis was not recorded: `test.alternative` must be one of "two-sided", "greater", "less", not "one-sided".'
    );
    expect(errorOf(input({}, { expected_direction: undefined }))).toContain(
      '`test.expected_direction` must be one of "positive", "negative", "any" (it is missing)'
    );
  });

  it('refuses empty test code', () => {
    expect(errorOf(input({}, { code: '   \n' }))).toBe(
      'The hypothesis was not recorded: `test.code` must be a non-empty string.'
    );
  });

  it('refuses a one-sided alternative that contradicts the expected direction', () => {
    expect(errorOf(input({}, { alternative: 'greater' }))).toContain(
      '`test.alternative` "greater" contradicts `test.expected_direction` "negative"'
    );
  });

  it('lists every problem at once, so Claude can fix them in one go', () => {
    const error = errorOf(input({ variables: [], h0: 3, test: { method: 'chi-square', alpha: 2 } }));
    expect(error).toContain('`variables` must be a non-empty array of non-empty strings');
    expect(error).toContain('`h0` must be a non-empty string');
    expect(error).toContain('`test.code` is missing');
    expect(error).toContain('`test.alpha` must be a number strictly between 0 and 1');
    expect(error).toContain('`test.alternative` must be one of');
    expect(error).toContain('`test.effect_measure` is missing');
  });

  it('refuses a negative minimum effect and a test that is not an object', () => {
    expect(errorOf(input({}, { min_effect: -3 }))).toContain('`test.min_effect` must be a number >= 0');
    expect(errorOf(input({ test: 'welch' }))).toContain('`test` must be an object');
  });
});

describe('createHypothesis', () => {
  it('makes a proposed record with an h- id of 6 hex digits and its provenance', () => {
    const check = validateHypothesisInput(input());
    if (!check.ok) {
      throw new Error(check.error);
    }
    const h = createHypothesis(check.value, {
      model: 'claude-sonnet-4-5',
      requestId: 'req_011CQ',
      toolUseId: 'toolu_01',
      createdAt: '2025-05-01T10:00:00.000Z'
    });
    expect(h.id).toMatch(/^h-[0-9a-f]{6}$/);
    expect(h).toMatchObject({
      status: 'proposed',
      evidence: null,
      testCellId: null,
      statementCellId: null,
      override: null,
      provenance: {
        model: 'claude-sonnet-4-5',
        requestId: 'req_011CQ',
        toolUseId: 'toolu_01',
        createdAt: '2025-05-01T10:00:00.000Z'
      },
      updatedAt: '2025-05-01T10:00:00.000Z'
    });
    const other = createHypothesis(check.value, { model: 'm', requestId: null, toolUseId: 't' });
    expect(other.id).not.toBe(h.id);
    expect(Date.parse(other.provenance.createdAt)).not.toBeNaN();
  });
});
