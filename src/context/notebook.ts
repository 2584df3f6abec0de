/*
 * The notebook at a glance: an outline of its cells and the last error it raised.
 */
import type { ICell, INotebookContent, IOutput } from '@jupyterlab/nbformat';
import { cellIdOf } from './cellId';
import { imageTokens } from './images';
import { describeOutput } from './outputs';
import { errorText } from './traceback';
import { redactSecrets } from './redact';
import { approximateTokens, estimateTokens, headTail, CHARS_PER_TOKEN, joinMultiline } from './text';
import { clipText } from '../unicode';

/**
 * One row of the notebook outline.
 */
export interface ICellOutline {
  /** The cell id (nbformat ≥ 4.5), or `cell-<n>` for older notebooks. */
  id: string;
  /** Position in the notebook, from 0. */
  index: number;
  kind: 'code' | 'markdown' | 'raw';
  /** The cell's execution count, null when it never ran. */
  executionCount: number | null;
  /** The first lines of the source, secrets redacted, long lines shortened. */
  firstLines: string[];
  /** Lines in the source. */
  lineCount: number;
  /** Estimated tokens of the whole source. */
  sourceTokens: number;
  /** One line per output, joined with `; ` (empty when there is none). */
  outputSummary: string;
  /** Number of outputs. */
  outputCount: number;
  /** Rough tokens the outputs would take if sent whole (images as image tokens). */
  outputTokens: number;
  /** Whether one of the outputs is an error. */
  hasError: boolean;
}

/**
 * Options for the outline.
 */
export interface IOutlineOptions {
  /** Source lines kept per cell (default 2). */
  firstLines?: number;
  /** Longest line kept, in characters (default 120). */
  maxLineChars?: number;
}

/**
 * The most recent error in a notebook.
 */
export interface ILastError {
  cellId: string;
  cellIndex: number;
  executionCount: number | null;
  ename: string;
  evalue: string;
  /** `ename: evalue` and the traceback, colours stripped, repeats collapsed, redacted. */
  text: string;
  tokens: number;
  truncated: boolean;
}

export { cellIdOf };

/**
 * Outline every cell: id, kind, execution count, first lines and a one-line output summary.
 */
export function outlineNotebook(nb: INotebookContent, options: IOutlineOptions = {}): ICellOutline[] {
  const keep = options.firstLines ?? 2;
  const maxLine = options.maxLineChars ?? 120;
  return (nb.cells ?? []).map((cell, index) => {
    const source = joinMultiline(cell.source as any);
    const lines = source.split('\n');
    const firstLines = lines
      .slice(0, keep)
      .map(line => clipText(line, maxLine))
      .map(line => redactSecrets(line).text);
    const outputs: IOutput[] = cell.cell_type === 'code' ? ((cell.outputs as IOutput[]) ?? []) : [];
    return {
      id: cellIdOf(cell, index),
      index,
      kind: cell.cell_type as ICellOutline['kind'],
      executionCount: cell.cell_type === 'code' ? ((cell.execution_count as number | null) ?? null) : null,
      firstLines,
      lineCount: source ? lines.length - (source.endsWith('\n') ? 1 : 0) : 0,
      sourceTokens: estimateTokens(source),
      outputSummary: outputs.map(describeOutput).join('; '),
      outputCount: outputs.length,
      outputTokens: outputs.reduce((sum, output) => sum + roughOutputTokens(output), 0),
      hasError: outputs.some(output => output.output_type === 'error')
    };
  });
}

/**
 * The most recent error output: highest execution count, then latest in the notebook.
 */
export function lastError(nb: INotebookContent, budgetTokens = 1500): ILastError | null {
  let found: { cell: ICell; index: number; output: IOutput } | null = null;
  let foundCount = -Infinity;
  (nb.cells ?? []).forEach((cell, index) => {
    if (cell.cell_type !== 'code') {
      return;
    }
    const count = typeof cell.execution_count === 'number' ? cell.execution_count : -1;
    for (const output of (cell.outputs as IOutput[]) ?? []) {
      if (output.output_type === 'error' && count >= foundCount) {
        found = { cell, index, output };
        foundCount = count;
      }
    }
  });
  if (!found) {
    return null;
  }
  const { cell, index, output } = found as { cell: ICell; index: number; output: IOutput };
  const full = errorText(output);
  const clipped = headTail(full, Math.floor(budgetTokens * CHARS_PER_TOKEN));
  const text = redactSecrets(clipped).text;
  return {
    cellId: cellIdOf(cell, index),
    cellIndex: index,
    executionCount: typeof cell.execution_count === 'number' ? cell.execution_count : null,
    ename: String(output.ename ?? 'Error'),
    evalue: redactSecrets(String(output.evalue ?? '')).text,
    text,
    tokens: estimateTokens(text),
    truncated: clipped !== full
  };
}

/**
 * Rough tokens an output would cost if sent as it is stored (for reporting what was left out).
 */
export function roughOutputTokens(output: IOutput): number {
  if (output.output_type === 'stream') {
    return approximateTokens(Private.length(output.text));
  }
  if (output.output_type === 'error') {
    return approximateTokens(Private.length(output.traceback) + String(output.evalue ?? '').length);
  }
  const data = (output.data ?? {}) as { [mime: string]: unknown };
  let best = 0;
  for (const mime of Object.keys(data)) {
    const tokens =
      mime.startsWith('image/') && mime !== 'image/svg+xml'
        ? imageTokens(undefined, undefined, 1568)
        : approximateTokens(Private.length(data[mime]));
    best = Math.max(best, tokens);
  }
  return best;
}

namespace Private {
  const SAMPLE = 200;

  export function length(value: unknown): number {
    if (typeof value === 'string') {
      return value.length;
    }
    if (Array.isArray(value)) {
      // A rough figure is enough: on long arrays, scale up a sample from both ends.
      const sample = value.length > 2 * SAMPLE ? [...value.slice(0, SAMPLE), ...value.slice(-SAMPLE)] : value;
      let total = 0;
      for (const piece of sample) {
        total += typeof piece === 'string' ? piece.length : 0;
      }
      return Math.round((total * value.length) / sample.length);
    }
    return value === undefined || value === null ? 0 : JSON.stringify(value).length;
  }
}
