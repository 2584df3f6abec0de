/*
 * The result of a hypothesis test, as a test cell reports it.
 *
 * Claude's test code leaves a dict named `result`:
 *
 *   result = {"statistic": t, "statistic_name": "t", "p_value": p, "effect_size": diff,
 *             "ci": [low, high] or None, "ci_level": 0.95, "n": n}
 *
 * and the extension appends a fixed footer (footer.py) that displays one output bundle:
 *
 *   {HYPOTHESIS_RESULT_MIME: {"hypothesis_id": "h-3f9a1c", "statistic": ..., "statistic_name": ...,
 *                             "p_value": ..., "effect_size": ..., "ci": [low, high] | null,
 *                             "ci_level": ..., "n": ...},
 *    "text/plain": "h-3f9a1c: t = 2.31, p = 0.021, effect = 1.2e+04, n = 6024"}
 *
 * Numbers are plain JSON numbers; a missing, NaN or infinite value is null (JSON has no NaN),
 * and a null p-value reads as "no p-value": the test is inconclusive.
 */
import type * as nbformat from '@jupyterlab/nbformat';
import type { IHypothesis, IHypothesisEvidence } from './tokens';
import footerTemplate from '../../src/hypotheses/footer.py';

/**
 * The MIME type of a test cell's result bundle.
 */
export const HYPOTHESIS_RESULT_MIME = 'application/vnd.jupyterlab-claude.hypothesis-result+json';

/**
 * The payload under `HYPOTHESIS_RESULT_MIME`, as the footer writes it.
 */
export interface IHypothesisResultPayload {
  hypothesis_id: string;
  statistic: number | null;
  statistic_name: string;
  p_value: number | null;
  effect_size: number | null;
  ci: [number | null, number | null] | null;
  ci_level: number | null;
  n: number | null;
}

/**
 * The footer appended to every test cell, for this hypothesis.
 */
export function resultFooter(hypothesisId: string): string {
  return footerTemplate.replace(Private.ID_PLACEHOLDER, JSON.stringify(hypothesisId)).trimEnd() + '\n';
}

/**
 * The source of a hypothesis' test cell: Claude's code, then the footer that reports `result`.
 */
export function testCellSource(h: IHypothesis): string {
  return `${h.test.code.trimEnd()}\n\n${resultFooter(h.id)}`;
}

/**
 * Read what a test cell reported for a hypothesis from the cell's outputs.
 *
 * - an `error` output: the cell failed; evidence with `error` "EName: evalue" and no numbers
 *   (an error wins over a bundle: the cell did not finish);
 * - else the last result bundle for this hypothesis (bundles for other ids are ignored);
 * - else `null`: no result yet.
 *
 * Never throws on a malformed bundle: a value of the wrong type reads as null.
 */
export function readEvidence(
  outputs: ReadonlyArray<nbformat.IOutput>,
  hypothesisId: string,
  executionCount?: number | null,
  now: Date = new Date()
): IHypothesisEvidence | null {
  const readAt = now.toISOString();
  let payload: Record<string, unknown> | null = null;
  for (const output of outputs) {
    if (output.output_type === 'error') {
      const error = output as nbformat.IError;
      return {
        statistic: null,
        pValue: null,
        effectSize: null,
        ci: null,
        ciLevel: null,
        n: null,
        error: `${error.ename}: ${error.evalue}`,
        executionCount: executionCount ?? null,
        readAt
      };
    }
  }
  for (const output of outputs) {
    if (output.output_type !== 'display_data' && output.output_type !== 'execute_result') {
      continue;
    }
    const data = (output as nbformat.IDisplayData).data ?? {};
    const found = Private.asObject(data[HYPOTHESIS_RESULT_MIME]);
    if (found && found.hypothesis_id === hypothesisId) {
      payload = found;
    }
  }
  if (!payload) {
    return null;
  }
  const statisticName = payload.statistic_name;
  return {
    statistic: Private.finite(payload.statistic),
    statisticName: typeof statisticName === 'string' && statisticName !== '' ? statisticName : undefined,
    pValue: Private.probability(payload.p_value),
    effectSize: Private.finite(payload.effect_size),
    ci: Private.interval(payload.ci),
    ciLevel: Private.probability(payload.ci_level),
    n: Private.finite(payload.n),
    error: null,
    executionCount: executionCount ?? null,
    readAt
  };
}

namespace Private {
  export const ID_PLACEHOLDER = '"HYPOTHESIS_ID"';

  export function asObject(value: unknown): Record<string, unknown> | null {
    if (typeof value === 'string') {
      // Some writers store JSON bundles as text.
      try {
        value = JSON.parse(value);
      } catch {
        return null;
      }
    }
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  }

  export function finite(value: unknown): number | null {
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  }

  export function probability(value: unknown): number | null {
    const p = finite(value);
    return p !== null && p >= 0 && p <= 1 ? p : null;
  }

  export function interval(value: unknown): [number, number] | null {
    if (!Array.isArray(value) || value.length !== 2) {
      return null;
    }
    const low = finite(value[0]);
    const high = finite(value[1]);
    return low !== null && high !== null && low <= high ? [low, high] : null;
  }
}
