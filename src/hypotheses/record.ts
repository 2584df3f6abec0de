/*
 * A hypothesis as Claude proposes it (the `propose_hypothesis` tool), checked and turned into
 * a record. Model output is untrusted: every field is checked, with a message Claude can act on.
 */
import { Random } from '@lumino/coreutils';
import type { IHypothesis, IHypothesisTest } from './tokens';

export { HYPOTHESIS_INPUT_SCHEMA, PROPOSE_HYPOTHESIS_TOOL } from './schema';

/**
 * A validated `propose_hypothesis` input, in the record's own field names.
 */
export type IHypothesisInput = Pick<
  IHypothesis,
  'statement' | 'context' | 'variables' | 'relationship' | 'h0' | 'h1' | 'test' | 'rationale' | 'assumptions'
>;

/**
 * The outcome of checking a tool input.
 */
export type HypothesisInputCheck = { ok: true; value: IHypothesisInput } | { ok: false; error: string };

/**
 * Where a hypothesis came from.
 */
export interface IHypothesisProvenance {
  model: string;
  requestId: string | null;
  toolUseId: string;
  /** Defaults to now. */
  createdAt?: string;
}

/**
 * Check a `propose_hypothesis` input. The error names every problem found, so Claude can
 * fix them all in one go.
 */
export function validateHypothesisInput(input: unknown): HypothesisInputCheck {
  if (!Private.isObject(input)) {
    return { ok: false, error: 'The input must be a JSON object with the fields of propose_hypothesis.' };
  }
  const problems: string[] = [];
  const text = (obj: Record<string, unknown>, key: string, label = key): string => {
    const value = obj[key];
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push(value === undefined ? `\`${label}\` is missing` : `\`${label}\` must be a non-empty string`);
      return '';
    }
    return value;
  };
  const texts = (obj: Record<string, unknown>, key: string, nonEmpty: boolean): string[] => {
    const value = obj[key];
    if (
      !Array.isArray(value) ||
      value.some(v => typeof v !== 'string' || v.trim() === '') ||
      (nonEmpty && value.length === 0)
    ) {
      problems.push(
        value === undefined
          ? `\`${key}\` is missing`
          : `\`${key}\` must be a${nonEmpty ? ' non-empty' : 'n'} array of non-empty strings`
      );
      return [];
    }
    return value as string[];
  };
  const oneOf = <T extends string>(obj: Record<string, unknown>, key: string, options: readonly T[]): T => {
    const value = obj[key];
    if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
      problems.push(
        `\`test.${key}\` must be one of ${options.map(o => `"${o}"`).join(', ')}` +
          (value === undefined ? ' (it is missing)' : `, not ${JSON.stringify(value)}`)
      );
      return options[0];
    }
    return value as T;
  };

  const statement = text(input, 'statement');
  const context = text(input, 'context');
  const variables = texts(input, 'variables', true);
  const relationship = text(input, 'relationship');
  const h0 = text(input, 'h0');
  const h1 = text(input, 'h1');
  const rationale = text(input, 'rationale');
  const assumptions = texts(input, 'assumptions', false);

  let test: IHypothesisTest | null = null;
  const rawTest = input.test;
  if (!Private.isObject(rawTest)) {
    problems.push(rawTest === undefined ? '`test` is missing' : '`test` must be an object (method, code, alpha, ...)');
  } else {
    const method = text(rawTest, 'method', 'test.method');
    const code = text(rawTest, 'code', 'test.code');
    let alpha = 0.05;
    if (rawTest.alpha !== undefined && rawTest.alpha !== null) {
      if (
        typeof rawTest.alpha !== 'number' ||
        !Number.isFinite(rawTest.alpha) ||
        rawTest.alpha <= 0 ||
        rawTest.alpha >= 1
      ) {
        problems.push(
          '`test.alpha` must be a number strictly between 0 and 1 (e.g. 0.05), ' +
            `not ${JSON.stringify(rawTest.alpha)}`
        );
      } else {
        alpha = rawTest.alpha;
      }
    }
    const alternative = oneOf(rawTest, 'alternative', Private.alternatives);
    const expectedDirection = oneOf(rawTest, 'expected_direction', Private.directions);
    let minEffect: number | null = null;
    if (rawTest.min_effect !== undefined && rawTest.min_effect !== null) {
      if (typeof rawTest.min_effect !== 'number' || !Number.isFinite(rawTest.min_effect) || rawTest.min_effect < 0) {
        problems.push(
          '`test.min_effect` must be a number >= 0 (an absolute effect size), ' +
            `not ${JSON.stringify(rawTest.min_effect)}`
        );
      } else {
        minEffect = rawTest.min_effect;
      }
    }
    const effectMeasure = text(rawTest, 'effect_measure', 'test.effect_measure');
    test = { method, code, alpha, alternative, expectedDirection, minEffect, effectMeasure };
    if (
      (alternative === 'greater' && expectedDirection === 'negative') ||
      (alternative === 'less' && expectedDirection === 'positive')
    ) {
      problems.push(
        `\`test.alternative\` "${alternative}" contradicts \`test.expected_direction\` "${expectedDirection}"`
      );
    }
  }

  if (problems.length > 0) {
    return { ok: false, error: `The hypothesis was not recorded: ${problems.join('; ')}.` };
  }
  return {
    ok: true,
    value: { statement, context, variables, relationship, h0, h1, test: test!, rationale, assumptions }
  };
}

/**
 * A new hypothesis record, status `proposed`, from a validated input.
 */
export function createHypothesis(input: IHypothesisInput, provenance: IHypothesisProvenance): IHypothesis {
  const createdAt = provenance.createdAt ?? new Date().toISOString();
  return {
    id: newHypothesisId(),
    statement: input.statement,
    context: input.context,
    variables: [...input.variables],
    relationship: input.relationship,
    h0: input.h0,
    h1: input.h1,
    test: { ...input.test },
    rationale: input.rationale,
    assumptions: [...input.assumptions],
    status: 'proposed',
    evidence: null,
    statementCellId: null,
    testCellId: null,
    override: null,
    provenance: {
      model: provenance.model,
      requestId: provenance.requestId,
      toolUseId: provenance.toolUseId,
      createdAt
    },
    updatedAt: createdAt
  };
}

/**
 * A fresh id: `h-` and 6 hex digits.
 */
export function newHypothesisId(): string {
  const bytes = new Uint8Array(3);
  Random.getRandomValues(bytes);
  return 'h-' + Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

namespace Private {
  export const alternatives = ['two-sided', 'greater', 'less'] as const;
  export const directions = ['positive', 'negative', 'any'] as const;

  export function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}
