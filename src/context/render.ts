/*
 * Rendering the notebook context as text: block headings, fences, the outline, output
 * summaries, the list of what was left out, and the whole context in its cache-friendly order.
 */
import type { IOutput } from '@jupyterlab/nbformat';
import { clipText } from '../unicode';
import type { IContextBlock, INotebookContext } from './budget';
import type { IImageCandidate } from './images';
import type { ICellOutline } from './notebook';
import type { IOutputSummary } from './outputs';
import { estimateTokens, formatCount, formatNumber } from './text';
import type { ContextPartKind, IContextPart, OmittedCause } from './tokens';

/**
 * Why a part was left out, in words: what the scientist and Claude read.
 */
export const OMITTED_REASON: { readonly [cause in OmittedCause]: string } = {
  removed: 'removed by the scientist',
  budget: 'over budget',
  'image-limit': 'image limit',
  'outline-window': 'outside the outline window',
  missing: 'no such cell'
};

/**
 * A chosen block and the group it is shown in (an image goes with its cell).
 */
export interface IPlacedBlock {
  block: IContextBlock;
  group: ContextPartKind;
}

/**
 * A block with its heading; tokens count the blank line that follows it in the text.
 */
export function makeBlock(
  kind: ContextPartKind,
  id: string,
  title: string,
  body: string,
  cellIndex?: number,
  image?: IImageCandidate
): IContextBlock {
  const text = `## ${title}\n${body}`;
  const tokens = estimateTokens(text + '\n\n') + (image?.tokens ?? 0);
  const block: IContextBlock = { id, kind, title, text, tokens };
  if (cellIndex !== undefined) {
    block.cellIndex = cellIndex;
  }
  if (image) {
    block.image = image;
  }
  return block;
}

/**
 * A part left out, with its cause and the words for it.
 */
export function omittedPart(
  kind: ContextPartKind,
  id: string,
  cause: OmittedCause,
  tokens: number,
  cellIndex?: number
): IContextPart {
  const where = cellIndex !== undefined && cellIndex >= 0 ? ` #${cellIndex + 1}` : '';
  const part: IContextPart = { kind, id, title: `${kind}${where}`, tokens, cause, reason: OMITTED_REASON[cause] };
  if (cellIndex !== undefined) {
    part.cellIndex = cellIndex;
  }
  return part;
}

/**
 * The context's text from the blocks placed and the parts left out.
 *
 * Most stable parts first so a prompt cache can reuse its beginning: heading, outline, kernel
 * variables, other outputs, selected cells, last error, active cell, then what was left out.
 */
export function renderContext(
  header: string,
  placed: IPlacedBlock[],
  omitted: IContextPart[],
  budget: number
): INotebookContext {
  const ordered = placed
    .map((entry, order) => ({ ...entry, order }))
    .sort(
      (a, b) =>
        Private.RENDER_ORDER.indexOf(a.group) - Private.RENDER_ORDER.indexOf(b.group) ||
        (a.block.cellIndex ?? -1) - (b.block.cellIndex ?? -1) ||
        a.order - b.order
    )
    .map(entry => entry.block);
  const used = estimateTokens(header + '\n\n') + ordered.reduce((sum, block) => sum + block.tokens, 0);
  const leftOut = renderLeftOut(omitted, budget - used);
  const stable = [header, ...ordered.filter(b => b.kind === 'outline').map(b => b.text)];
  const volatile = ordered.filter(b => b.kind !== 'outline').map(b => b.text);
  if (leftOut) {
    volatile.push(leftOut);
  }
  const stableText = stable.join('\n\n');
  const volatileText = volatile.join('\n\n');
  const text = volatileText ? `${stableText}\n\n${volatileText}` : stableText;
  const imageTokens = ordered.reduce((sum, block) => sum + (block.image?.tokens ?? 0), 0);
  return {
    blocks: ordered,
    omitted: [...omitted],
    totalTokens: estimateTokens(text) + imageTokens,
    redactions: (text.match(/\[REDACTED:/g) ?? []).length,
    text,
    stableText,
    volatileText
  };
}

/**
 * Each output summary of a cell, labelled and fenced.
 */
export function renderSummaries(summaries: IOutputSummary[], outputs: IOutput[]): string {
  return summaries
    .map((summary, k) => {
      const label = `Output ${k + 1} (${summary.kind}${
        outputs[k].output_type === 'stream' ? `, ${String(outputs[k].name ?? 'stream')}` : ''
      }${summary.truncated ? ', shortened' : ''})`;
      if (summary.kind === 'image') {
        return `${label}: ${summary.text}`;
      }
      return `${label}:\n${fence(summary.text, 'text')}`;
    })
    .join('\n');
}

/**
 * The outline as text: one row per cell, its first lines indented beneath it; cells outside
 * `radius` of `center` replaced by a line saying how many were skipped.
 */
export function renderOutline(rows: ICellOutline[], lines: number, center: number, radius: number): string {
  const out: string[] = [];
  let skipped: number[] = [];
  const flush = () => {
    if (skipped.length) {
      out.push(
        `… ${formatCount(skipped.length, 'cell')} not shown (#${skipped[0] + 1}–#${skipped[skipped.length - 1] + 1}) …`
      );
      skipped = [];
    }
  };
  for (const row of rows) {
    if (Math.abs(row.index - center) > radius) {
      skipped.push(row.index);
      continue;
    }
    flush();
    out.push(outlineRow(row, lines));
  }
  flush();
  return out.join('\n');
}

/**
 * One cell of the outline, with up to `lines` of its source.
 */
export function outlineRow(row: ICellOutline, lines: number): string {
  const summary = clipText(row.outputSummary, 200);
  const size = row.lineCount > lines && lines > 0 ? ` (${formatCount(row.lineCount, 'line')})` : '';
  const head = `#${row.index + 1} ${row.kind}${executed(row)} id=${row.id}${size}${summary ? ` → ${summary}` : ''}`;
  const first = row.firstLines.slice(0, lines).filter(line => line.trim() !== '');
  return [head, ...first.map(line => `    ${line}`)].join('\n');
}

/**
 * The list of what was left out, made shorter until it fits `maxTokens`.
 */
export function renderLeftOut(omitted: IContextPart[], maxTokens: number): string {
  if (!omitted.length) {
    return '';
  }
  const groups = new Map<string, IContextPart[]>();
  for (const part of omitted) {
    const key = `${part.kind}\u0000${part.cause}`;
    groups.set(key, [...(groups.get(key) ?? []), part]);
  }
  const describe = (detail: 'ids' | 'ranges' | 'counts'): string => {
    const lines = [Private.LEFT_OUT_HEADING];
    for (const parts of groups.values()) {
      const { kind, reason } = parts[0];
      const tokens = parts.reduce((sum, part) => sum + part.tokens, 0);
      const what = `${formatCount(parts.length, Private.KIND_NOUN[kind])} (${reason}${
        tokens ? `, ≈${formatNumber(tokens)} tokens` : ''
      })`;
      if (detail === 'counts') {
        lines.push(`- ${what}`);
      } else if (detail === 'ids' || parts.every(part => part.cellIndex === undefined)) {
        lines.push(`- ${what}: ${parts.map(Private.referTo).join(', ')}`);
      } else {
        lines.push(`- ${what}: cells ${ranges(parts.map(part => part.cellIndex ?? -1).filter(i => i >= 0))}`);
      }
    }
    return lines.join('\n');
  };
  for (const detail of ['ids', 'ranges', 'counts'] as const) {
    const text = describe(detail);
    if (estimateTokens('\n\n' + text) <= maxTokens) {
      return text;
    }
  }
  const short = `${Private.LEFT_OUT_HEADING}\n- ${formatCount(omitted.length, 'part')}`;
  return estimateTokens('\n\n' + short) <= maxTokens ? short : '';
}

/**
 * `#1–#3, #7, #9–#12` from 0-based positions.
 */
export function ranges(indices: number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i];
    while (i + 1 < sorted.length && sorted[i + 1] === sorted[i] + 1) {
      i++;
    }
    out.push(start === sorted[i] ? `#${start + 1}` : `#${start + 1}–#${sorted[i] + 1}`);
  }
  return out.join(', ');
}

/**
 * A fence that the content cannot close early.
 */
export function fence(content: string, language: string): string {
  let longest = 2;
  const runs = content.match(/`{3,}/g);
  if (runs) {
    longest = Math.max(...runs.map(run => run.length));
  }
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${language}\n${content}${content.endsWith('\n') ? '' : '\n'}${ticks}`;
}

/**
 * ` In[n]` for a cell that ran, '' otherwise.
 */
export function executed(row: ICellOutline | undefined): string {
  return row && row.executionCount !== null ? ` In[${row.executionCount}]` : '';
}

namespace Private {
  // Where each kind of block goes in the text: stable first, volatile last.
  export const RENDER_ORDER: ContextPartKind[] = [
    'outline',
    'variables',
    'output',
    'selected-cell',
    'error',
    'active-cell'
  ];

  export const LEFT_OUT_HEADING = '## Left out (ask for any of these by cell number or id)';

  export const KIND_NOUN: { [kind in ContextPartKind]: string } = {
    outline: 'outline row',
    'active-cell': 'active cell',
    'selected-cell': 'selected cell',
    error: 'error',
    output: 'cell output',
    variables: 'variable summary',
    image: 'image',
    rules: 'project rules',
    attachment: 'attached text'
  };

  export function referTo(part: IContextPart): string {
    return part.cellIndex === undefined ? part.id : `#${part.cellIndex + 1} (${part.id})`;
  }
}
