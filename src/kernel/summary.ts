/*
 * Kernel inspections as compact Markdown for the prompt, inside a token budget.
 */
import type {
  IColumnStats,
  IInspectionFailure,
  IKernelVariable,
  KernelInspectionResult,
  KernelVariableResult
} from './types';
import { cutText } from '../unicode';

/** Characters per token, a rough rule for English, code and numbers. */
const CHARS_PER_TOKEN = 3.5;

/**
 * Estimated tokens of a text.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/**
 * A variables table and a few rows per frame, as Markdown, at most `budgetTokens` (estimated).
 *
 * When the full summary does not fit, it drops tail rows, then head rows, then column lists,
 * then variables (scalars first, frames and arrays last), and says what it left out.
 */
export function formatKernelSummary(result: KernelInspectionResult, budgetTokens: number): string {
  if (!result.ok) {
    return clipToBudget(failureLine(result), budgetTokens);
  }
  const levels: Private.ILevel[] = [
    { rows: 'both', maxHeadRows: 5, maxColumnsListed: 12 },
    { rows: 'head', maxHeadRows: 3, maxColumnsListed: 12 },
    { rows: 'none', maxHeadRows: 0, maxColumnsListed: 12 },
    { rows: 'none', maxHeadRows: 0, maxColumnsListed: 4 }
  ];
  for (const level of levels) {
    const text = Private.render(result, result.variables.length, level);
    if (estimateTokens(text) <= budgetTokens) {
      return text;
    }
  }
  // Fewest columns and no rows: keep as many variables as fit (binary search on the count).
  const last = levels[levels.length - 1];
  let low = 0;
  let high = result.variables.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (estimateTokens(Private.render(result, mid, last)) <= budgetTokens) {
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  return clipToBudget(Private.render(result, low, last), budgetTokens);
}

/**
 * One variable in depth (columns, the requested rows, column statistics) as Markdown.
 */
export function formatVariableDetail(result: KernelVariableResult, budgetTokens: number): string {
  if (!result.ok) {
    return clipToBudget(failureLine(result), budgetTokens);
  }
  const v = result.variable;
  const lines = [`Variable \`${v.name}\`: ${v.type}${shapeText(v) ? `, ${shapeText(v)}` : ''}`];
  if (v.columns?.length) {
    lines.push(`Columns: ${Private.columnsText(v, v.columns.length)}`);
  }
  for (const extra of Private.notes(v)) {
    lines.push(extra);
  }
  if (v.columnStats) {
    lines.push(Private.statsText(v.columnStats));
  }
  lines.push(...Private.rowsBlock(v, 'both', 1000));
  if (v.values?.length) {
    lines.push(`Values: ${v.values.join(', ')}`);
  }
  if (v.value !== undefined) {
    lines.push(`Value: ${v.value}`);
  }
  return clipToBudget(lines.join('\n'), budgetTokens);
}

function failureLine(result: IInspectionFailure): string {
  return `Kernel data: not available (${result.reason}): ${result.message}`;
}

function clipToBudget(text: string, budgetTokens: number): string {
  const chars = Math.floor(budgetTokens * CHARS_PER_TOKEN);
  return text.length <= chars ? text : cutText(text, Math.max(chars - 1, 0)) + '…';
}

/**
 * `10,000,000 × 3`, `? × 2` for lazy frames, `len 12` for containers.
 */
export function shapeText(v: IKernelVariable): string {
  if (v.shape) {
    return v.shape.map(d => (d === null ? '?' : d.toLocaleString('en-US'))).join(' × ');
  }
  if (v.length !== undefined) {
    return `len ${v.length.toLocaleString('en-US')}`;
  }
  return '';
}

/**
 * Bytes in a short human form.
 */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

namespace Private {
  export interface ILevel {
    rows: 'both' | 'head' | 'none';
    maxHeadRows: number;
    maxColumnsListed: number;
  }

  export function render(result: Extract<KernelInspectionResult, { ok: true }>, count: number, level: ILevel): string {
    const shown = pick(result.variables, count);
    const libs = Object.entries(result.libraries)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ');
    const header =
      `Kernel variables (${result.language}${result.languageVersion ? ' ' + result.languageVersion : ''}` +
      `${libs ? '; ' + libs : ''}): ${shown.length} of ${result.totalVariables} shown.`;
    const lines = [header];
    if (shown.length) {
      lines.push('', '| name | type | shape | memory | details |', '| --- | --- | --- | --- | --- |');
      for (const v of shown) {
        lines.push(
          `| ${cell(v.name)} | ${cell(v.type)} | ${cell(shapeText(v))} | ${
            v.memoryBytes !== undefined ? formatBytes(v.memoryBytes) : ''
          } | ${cell(details(v, level.maxColumnsListed))} |`
        );
      }
    }
    if (level.rows !== 'none') {
      for (const v of shown) {
        const block = rowsBlock(v, level.rows, level.maxHeadRows);
        if (block.length) {
          lines.push('', ...block);
        }
      }
    }
    const left: string[] = [];
    if (count < result.variables.length) {
      const hidden = result.variables.filter(v => !shown.includes(v)).map(v => v.name);
      left.push(`${hidden.length} more variables not shown: ${hidden.join(', ')}`);
    }
    if (result.skipped.length) {
      left.push(
        `not inspected (${result.skippedReason ?? 'time budget'}): ${result.skipped.map(s => s.name).join(', ')}`
      );
    }
    if (result.trimmed.length) {
      left.push(`trimmed in the kernel: ${result.trimmed.join('; ')}`);
    }
    if (left.length) {
      lines.push('', ...left.map(l => `Note: ${l}`));
    }
    return lines.join('\n');
  }

  /** Data first (frames, arrays), then containers and objects, then scalars; shown in their own order. */
  function pick(variables: IKernelVariable[], count: number): IKernelVariable[] {
    const rank = (v: IKernelVariable) => (v.columns || v.shape || v.dims ? 0 : v.kind === 'scalar' ? 2 : 1);
    const kept = new Set(
      variables
        .map((v, i) => ({ v, i }))
        .sort((a, b) => rank(a.v) - rank(b.v) || a.i - b.i)
        .slice(0, count)
        .map(({ v }) => v)
    );
    return variables.filter(v => kept.has(v));
  }

  export function details(v: IKernelVariable, maxColumns: number): string {
    const parts: string[] = [];
    if (v.columns?.length) {
      parts.push(columnsText(v, maxColumns));
    } else if (v.dtype) {
      parts.push(`dtype ${v.dtype}`);
    }
    if (v.dims) {
      parts.push(
        'dims ' +
          Object.entries(v.dims)
            .map(([d, n]) => `${d}=${n}`)
            .join(', ')
      );
    }
    if (v.dataVars?.length) {
      parts.push('vars ' + v.dataVars.map(d => `${d.name}(${d.dims.join(',')}): ${d.dtype}`).join(', '));
    }
    if (v.values?.length) {
      parts.push(`first values ${v.values.slice(0, 5).join(', ')}`);
    }
    if (v.value !== undefined) {
      parts.push(v.value);
    }
    parts.push(...notes(v));
    return parts.join('; ');
  }

  export function columnsText(v: IKernelVariable, maxColumns: number): string {
    const columns = v.columns ?? [];
    const listed = columns.slice(0, maxColumns).map(c => `${c.name}: ${c.dtype}`);
    const more = columns.length - listed.length + (v.columnsOmitted ?? 0);
    return listed.join(', ') + (more > 0 ? `, … ${more} more columns` : '');
  }

  export function notes(v: IKernelVariable): string[] {
    const out: string[] = [];
    if (v.lazy) {
      out.push(v.note ?? 'lazy: not computed');
    } else if (v.note) {
      out.push(v.note);
    }
    if (v.npartitions !== undefined) {
      out.push(`${v.npartitions} partitions`);
    }
    if (v.memoryNote) {
      out.push(`memory ${v.memoryNote}`);
    }
    if (v.refused) {
      out.push(v.refused);
    }
    if (v.error) {
      out.push(`not inspected: ${v.error}`);
    }
    if (v.lengthError) {
      out.push(`len() raised ${v.lengthError}`);
    }
    if (v.shapeError) {
      out.push(`shape raised ${v.shapeError}`);
    }
    return out;
  }

  export function rowsBlock(v: IKernelVariable, rows: 'both' | 'head', maxHeadRows: number): string[] {
    if (!v.rowColumns || !v.head?.length) {
      return [];
    }
    const head = v.head.slice(0, maxHeadRows);
    const tail = rows === 'both' ? (v.tail ?? []) : [];
    const total = v.shape?.[0];
    const what = v.slice
      ? `rows ${v.slice[0]}–${v.slice[1] - 1}`
      : tail.length
        ? `first ${head.length} and last ${tail.length} of ${total?.toLocaleString('en-US') ?? '?'} rows`
        : `first ${head.length} of ${total?.toLocaleString('en-US') ?? '?'} rows`;
    const lines = [
      `\`${v.name}\` (${what}):`,
      `| | ${v.rowColumns.map(cell).join(' | ')} |`,
      `| ${['---', ...v.rowColumns.map(() => '---')].join(' | ')} |`
    ];
    const row = (r: string[]) => `| ${r.map(cell).join(' | ')} |`;
    lines.push(...head.map(row));
    if (tail.length) {
      lines.push(`| … | ${v.rowColumns.map(() => '').join(' | ')} |`);
      lines.push(...tail.map(row));
    }
    return lines;
  }

  export function statsText(s: IColumnStats): string {
    const parts = [`count ${s.count}`, `nulls ${s.nulls}`];
    for (const key of ['min', 'max', 'mean', 'std'] as const) {
      if (s[key] !== undefined && s[key] !== null) {
        parts.push(`${key} ${s[key]}`);
      }
    }
    if (s.true !== undefined) {
      parts.push(`true ${s.true}`);
    }
    if (s.distinct !== undefined) {
      parts.push(`distinct ${s.distinct}`);
    }
    if (s.top?.length) {
      parts.push('top ' + s.top.map(([value, n]) => `${value} (${n})`).join(', '));
    }
    if (s.note) {
      parts.push(s.note);
    }
    return `Statistics of ${s.column !== undefined ? `\`${s.column}\`` : 'the values'} (${s.dtype}): ${parts.join(', ')}`;
  }

  /** A table cell: pipes escaped, newlines shown as \n, so a value cannot break the table. */
  export function cell(text: string): string {
    return String(text).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '\\n');
  }
}
