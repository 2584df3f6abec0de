/*
 * Building what Claude sees of a notebook, in priority order, inside a token budget.
 */
import type { ICell, INotebookContent, IOutput } from '@jupyterlab/nbformat';
import { cellIdOf, ICellOutline, lastError, outlineNotebook } from './notebook';
import type { IImageCandidate } from './images';
import { IOutputSummary, summariseOutput } from './outputs';
import { redactSecrets } from './redact';
import { clipText } from '../unicode';
import { CHARS_PER_TOKEN, estimateTokens, formatCount, formatNumber, headTail, joinMultiline } from './text';

/**
 * The kinds of block a context is made of.
 */
export type ContextBlockKind =
  | 'outline'
  | 'active-cell'
  | 'selected-cell'
  | 'error'
  | 'output'
  | 'variables'
  | 'image';

/**
 * One part of the context, as sent and as shown to the scientist.
 */
export interface IContextBlock {
  /** `outline`, `variables`, a cell id, or `<cell id>/outputs/<n>` for an image. */
  id: string;
  kind: ContextBlockKind;
  /** A heading for the scientist ("Active cell #4 …"). */
  title: string;
  /** The block's text exactly as it appears in `INotebookContext.text`, heading included. */
  text: string;
  /** Estimated tokens of the block (text, plus the image's tokens for images). */
  tokens: number;
  /** Position of the cell the block is about, from 0. */
  cellIndex?: number;
  /** For image blocks: the image to attach after downsampling. */
  image?: IImageCandidate;
}

/**
 * Something the context left out, so the panel can show it and Claude can ask for it.
 */
export interface IOmittedPart {
  kind: ContextBlockKind;
  /** Same id scheme as `IContextBlock.id`. */
  id: string;
  /** Why: `over budget`, `image limit`, `outside the outline window`, `no such cell`. */
  reason: string;
  /** Rough tokens it would have cost. */
  tokens: number;
  cellIndex?: number;
}

/**
 * What to put in the context.
 */
export interface IContextRequest {
  /** The notebook as nbformat JSON (`notebookModel.toJSON()`). */
  notebook: INotebookContent;
  /** The cell the scientist is in. */
  activeCellId?: string | null;
  /** Other selected cells. */
  selectedCellIds?: string[];
  /** Cells the scientist attached to the question. */
  extraCellIds?: string[];
  /** Summary of the kernel's variables, already bounded by the kernel inspector. */
  kernelSummary?: string;
  /** The most tokens the context may take, images included. */
  budgetTokens: number;
  /** Block ids the scientist removed (`outline`, `variables`, a cell id, an image id). */
  excludedIds?: string[];
  options?: IContextOptions;
}

/**
 * Tuning; the defaults suit a budget of 8k–30k tokens.
 */
export interface IContextOptions {
  /** Source lines per cell in the full outline (default 2). */
  outlineFirstLines?: number;
  /** Largest share of the budget the outline may take (default 0.5). */
  outlineShare?: number;
  /** Most tokens per output of the active and selected cells (default 1500). */
  cellOutputTokens?: number;
  /** Most tokens per selected or extra cell (default 3000). */
  selectedCellTokens?: number;
  /** Most tokens for the last error (default 1500). */
  errorTokens?: number;
  /** Most tokens for the kernel variables (default 2000). */
  variablesTokens?: number;
  /** Most tokens per output of the other cells (default 250). */
  otherOutputTokens?: number;
  /** Most images attached (default 3). */
  maxImages?: number;
  /** Longest image side before downsampling, in pixels (default 768). */
  maxImageDimension?: number;
}

/**
 * The context for one question.
 */
export interface INotebookContext {
  /** The blocks, in the order they appear in `text`. */
  blocks: IContextBlock[];
  /** What was left out, in priority order. */
  omitted: IOmittedPart[];
  /** Estimated tokens of `text` plus the attached images; never more than the budget. */
  totalTokens: number;
  /** Secrets replaced in what is sent (counted by their markers). */
  redactions: number;
  /**
   * The context as Markdown-ish text for the prompt, most stable parts first so a prompt
   * cache can reuse its beginning:
   * heading, outline, kernel variables, other outputs, selected cells, last error,
   * active cell, then the list of what was left out.
   */
  text: string;
  /**
   * The beginning of `text` that changes only when cells are added, removed or edited (the
   * heading and the outline): the part worth a prompt-cache breakpoint.
   */
  stableText: string;
  /** The rest of `text`: variables, outputs, cells in focus, the last error, what was left out. */
  volatileText: string;
}

/**
 * Build the context Claude sees for a notebook, within `budgetTokens`.
 *
 * Parts are taken in priority order until the budget is spent: the active cell (source in
 * full, outputs summarised, images), the last error with its traceback, selected and extra
 * cells, the kernel variables, the outline (shrunk if needed: fewer first lines, then only
 * the cells near the active one), then the outputs of other cells, nearest first.
 * Everything left out is listed in `omitted` and at the end of `text`. The same input always
 * gives the same output.
 */
export function buildContext(request: IContextRequest): INotebookContext {
  const builder = new Private.Builder(request);
  return builder.build();
}

namespace Private {
  const DEFAULTS: Required<IContextOptions> = {
    outlineFirstLines: 2,
    outlineShare: 0.5,
    cellOutputTokens: 1500,
    selectedCellTokens: 3000,
    errorTokens: 1500,
    variablesTokens: 2000,
    otherOutputTokens: 250,
    maxImages: 3,
    maxImageDimension: 768
  };

  // Where each kind of block goes in the text: stable first, volatile last.
  /** The reason given for a part the scientist removed. */
  export const REMOVED = 'removed by the scientist';

  const RENDER_ORDER: ContextBlockKind[] = [
    'outline',
    'variables',
    'output',
    'selected-cell',
    'error',
    'active-cell'
  ];

  // Below this, a block would be all heading and no content.
  const MIN_BLOCK_TOKENS = 40;

  // Outline windows tried, in cells either side of the active cell, when the outline is too big.
  const OUTLINE_RADII = [100, 50, 25, 12, 6, 3, 1, 0];

  const LEFT_OUT_HEADING = '## Left out (ask for any of these by cell number or id)';

  /**
   * A chosen block and where it belongs in the text.
   */
  interface IPlaced {
    block: IContextBlock;
    group: ContextBlockKind;
  }

  export class Builder {
    constructor(request: IContextRequest) {
      this._request = request;
      this._options = { ...DEFAULTS, ...(request.options ?? {}) };
      this._cells = request.notebook.cells ?? [];
      this._cells.forEach((cell, index) => this._indexOf.set(cellIdOf(cell, index), index));
      this._outline = outlineNotebook(request.notebook, { firstLines: this._options.outlineFirstLines });
      const language =
        (request.notebook.metadata?.language_info as { name?: string } | undefined)?.name ??
        (request.notebook.metadata?.kernelspec as { language?: string } | undefined)?.language ??
        'python';
      this._language = String(language);
      this._header = [
        '# Notebook context',
        `A ${this._language} notebook of ${formatCount(this._cells.length, 'cell')}. ` +
          'Cells are numbered #1… in notebook order and also named by id. ' +
          'Parts that did not fit are listed at the end.'
      ].join('\n');
      this._excluded = new Set(request.excludedIds ?? []);
      const budget = Math.max(0, Math.floor(request.budgetTokens));
      this._budget = budget;
      // Room kept for the list of what was left out.
      this._reserve = Math.min(200, Math.ceil(budget * 0.08));
      this._available = budget - estimateTokens(this._header + '\n\n') - this._reserve;
      const active = request.activeCellId ? this._indexOf.get(request.activeCellId) : undefined;
      this._active = active ?? -1;
      if (request.activeCellId && active === undefined) {
        this._omit({ kind: 'active-cell', id: request.activeCellId, reason: 'no such cell', tokens: 0 });
      }
    }

    build(): INotebookContext {
      if (this._available > 0) {
        this._addActiveCell();
        this._addLastError();
        this._addSelectedCells();
        this._addVariables();
        this._addOutline();
        this._addOtherOutputs();
      } else {
        this._omit({ kind: 'outline', id: 'outline', reason: 'over budget', tokens: 0 });
      }
      let result = this._render();
      // The estimate is additive, so this holds; the loop is a guard against rounding surprises.
      while (result.totalTokens > this._budget && this._placed.length) {
        const dropped = this._placed.pop()!;
        this._omit({
          kind: dropped.block.kind,
          id: dropped.block.id,
          reason: 'over budget',
          tokens: dropped.block.tokens,
          cellIndex: dropped.block.cellIndex
        });
        result = this._render();
      }
      return result;
    }

    private _addActiveCell(): void {
      if (this._active < 0) {
        return;
      }
      this._addCell('active-cell', this._active, this._available, 'Active cell');
    }

    private _addLastError(): void {
      const error = lastError(
        this._request.notebook,
        Math.min(this._options.errorTokens, Math.max(0, this._available - 30))
      );
      if (!error || this._shownOutputs.has(error.cellIndex)) {
        return;
      }
      const row = this._outline[error.cellIndex];
      const title = `Last error: ${error.ename} in cell #${error.cellIndex + 1}${executed(row)} (id=${error.cellId})`;
      const block = makeBlock('error', error.cellId, title, fence(error.text, 'text'), error.cellIndex);
      if (this._fits(block)) {
        this._place(block, 'error');
        this._shownOutputs.add(error.cellIndex);
      } else {
        this._omit({ kind: 'error', id: error.cellId, reason: 'over budget', tokens: block.tokens, cellIndex: error.cellIndex });
      }
    }

    private _addSelectedCells(): void {
      const wanted = [...(this._request.selectedCellIds ?? []), ...(this._request.extraCellIds ?? [])];
      const indices = new Set<number>();
      for (const id of wanted) {
        const index = this._indexOf.get(id);
        if (index === undefined) {
          if (!this._omitted.some(o => o.id === id)) {
            this._omit({ kind: 'selected-cell', id, reason: 'no such cell', tokens: 0 });
          }
        } else if (index !== this._active) {
          indices.add(index);
        }
      }
      for (const index of [...indices].sort((a, b) => a - b)) {
        this._addCell(
          'selected-cell',
          index,
          Math.min(this._options.selectedCellTokens, this._available),
          'Selected cell'
        );
      }
    }

    private _addVariables(): void {
      const summary = this._request.kernelSummary;
      if (!summary || !summary.trim()) {
        return;
      }
      const redacted = redactSecrets(summary).text;
      const allowance = Math.min(this._options.variablesTokens, this._available);
      const title = 'Kernel variables';
      const block = fitBlock(
        body => makeBlock('variables', 'variables', title, fence(body, 'text')),
        redacted,
        allowance
      );
      if (block) {
        this._place(block, 'variables');
      } else {
        this._omit({ kind: 'variables', id: 'variables', reason: 'over budget', tokens: estimateTokens(redacted) });
      }
    }

    private _addOutline(): void {
      const rows = this._outline;
      const title = `Outline (${formatCount(rows.length, 'cell')})`;
      const center = this._active >= 0 ? this._active : Math.max(0, lastExecutedIndex(rows));
      const attempts: Array<{ lines: number; radius: number }> = [];
      for (let lines = this._options.outlineFirstLines; lines >= 0; lines--) {
        attempts.push({ lines, radius: Infinity });
      }
      for (const radius of OUTLINE_RADII) {
        if (radius < rows.length) {
          attempts.push({ lines: 0, radius });
        }
      }
      // The outline may not crowd out the outputs that follow it.
      const allowance = Math.min(this._available, Math.floor(this._budget * this._options.outlineShare));
      for (const attempt of attempts) {
        const body = renderOutline(rows, attempt.lines, center, attempt.radius);
        const block = makeBlock('outline', 'outline', title, body);
        if (block.tokens <= allowance) {
          this._place(block, 'outline');
          if (attempt.radius !== Infinity) {
            for (const row of rows) {
              if (Math.abs(row.index - center) > attempt.radius) {
                this._omit({
                  kind: 'outline',
                  id: row.id,
                  reason: 'outside the outline window',
                  tokens: estimateTokens(outlineRow(row, 0)),
                  cellIndex: row.index
                });
              }
            }
          }
          return;
        }
      }
      this._omit({
        kind: 'outline',
        id: 'outline',
        reason: 'over budget',
        tokens: estimateTokens(renderOutline(rows, 0, center, Infinity))
      });
    }

    private _addOtherOutputs(): void {
      const center = this._active >= 0 ? this._active : 0;
      const candidates = this._outline
        .filter(row => row.outputCount > 0 && !this._shownOutputs.has(row.index))
        .sort((a, b) => Math.abs(a.index - center) - Math.abs(b.index - center) || a.index - b.index);
      for (const row of candidates) {
        const cell = this._cells[row.index];
        const outputs = (cell.outputs as IOutput[]) ?? [];
        if (this._available < MIN_BLOCK_TOKENS) {
          this._omit({ kind: 'output', id: row.id, reason: 'over budget', tokens: row.outputTokens, cellIndex: row.index });
          continue;
        }
        const perOutput = Math.max(
          20,
          Math.min(this._options.otherOutputTokens, Math.floor((this._available - 30) / outputs.length))
        );
        const summaries = outputs.map(output => summariseOutput(output, perOutput, this._options));
        const texts = summaries.filter(s => s.kind !== 'image');
        if (texts.length) {
          const title = `Outputs of cell #${row.index + 1}${executed(row)} (id=${row.id})`;
          const body = renderSummaries(summaries, outputs);
          const block = fitBlock(
            text => makeBlock('output', row.id, title, text, row.index),
            body,
            Math.min(this._available, perOutput * outputs.length + 30)
          );
          if (block) {
            this._place(block, 'output');
          } else {
            this._omit({ kind: 'output', id: row.id, reason: 'over budget', tokens: row.outputTokens, cellIndex: row.index });
          }
        }
        this._addImages(row, summaries, 'output');
        this._shownOutputs.add(row.index);
      }
    }

    /**
     * Add a cell (source and outputs) and its images, within `allowance`.
     */
    private _addCell(kind: 'active-cell' | 'selected-cell', index: number, allowance: number, label: string): void {
      const row = this._outline[index];
      const cell = this._cells[index];
      if (allowance < MIN_BLOCK_TOKENS) {
        this._omit({ kind, id: row.id, reason: 'over budget', tokens: row.sourceTokens + row.outputTokens, cellIndex: index });
        return;
      }
      const source = redactSecrets(joinMultiline(cell.source as any)).text;
      const outputs: IOutput[] = cell.cell_type === 'code' ? ((cell.outputs as IOutput[]) ?? []) : [];
      const title = `${label} #${index + 1} (${row.kind}${executed(row)}, id=${row.id})`;
      const language = row.kind === 'code' ? this._language : row.kind === 'markdown' ? 'markdown' : 'text';
      const sourceTokens = estimateTokens(source);
      const sourceAllowance = outputs.length ? Math.max(Math.floor(allowance * 0.6), allowance - 30 - outputs.length * this._options.cellOutputTokens) : allowance - 30;
      const shownSource =
        sourceTokens > sourceAllowance ? headTail(source, Math.floor(sourceAllowance * CHARS_PER_TOKEN)) : source;
      const left = allowance - estimateTokens(shownSource) - 40;
      const perOutput = outputs.length
        ? Math.max(20, Math.min(this._options.cellOutputTokens, Math.floor(left / outputs.length)))
        : 0;
      const summaries = outputs.map(output => summariseOutput(output, perOutput, this._options));
      const parts = [fence(shownSource, language)];
      if (outputs.length) {
        parts.push(renderSummaries(summaries, outputs));
      }
      const block = fitBlock(body => makeBlock(kind, row.id, title, body, index), parts.join('\n'), allowance);
      if (!block) {
        this._omit({ kind, id: row.id, reason: 'over budget', tokens: row.sourceTokens + row.outputTokens, cellIndex: index });
        return;
      }
      this._place(block, kind);
      this._shownOutputs.add(index);
      this._addImages(row, summaries, kind);
    }

    private _addImages(row: ICellOutline, summaries: IOutputSummary[], group: ContextBlockKind): void {
      summaries.forEach((summary, k) => {
        if (!summary.image) {
          return;
        }
        const id = `${row.id}/outputs/${k}`;
        const image = summary.image;
        if (this._images >= this._options.maxImages) {
          this._omit({ kind: 'image', id, reason: 'image limit', tokens: image.tokens, cellIndex: row.index });
          return;
        }
        const title = `Image: output ${k + 1} of cell #${row.index + 1} (id=${row.id})`;
        const note = image.needsDownsample ? `, sent at most ${this._options.maxImageDimension} px wide or high` : '';
        const block = makeBlock('image', id, title, `[${summary.text}${note}: attached as an image]`, row.index, image);
        if (this._fits(block)) {
          this._place(block, group);
          this._images++;
        } else {
          this._omit({ kind: 'image', id, reason: 'over budget', tokens: image.tokens, cellIndex: row.index });
        }
      });
    }

    private _fits(block: IContextBlock): boolean {
      return block.tokens <= this._available;
    }

    private _place(block: IContextBlock, group: ContextBlockKind): void {
      if (this._excluded.has(block.id)) {
        // Removed by the scientist: named as left out, so Claude can still ask for it.
        if (!this._omitted.some(part => part.id === block.id && part.reason === REMOVED)) {
          this._omit({ kind: block.kind, id: block.id, reason: REMOVED, tokens: block.tokens, cellIndex: block.cellIndex });
        }
        return;
      }
      this._placed.push({ block, group });
      this._available -= block.tokens;
    }

    private _omit(part: IOmittedPart): void {
      this._omitted.push(part);
    }

    private _render(): INotebookContext {
      const ordered = [...this._placed]
        .map((placed, order) => ({ ...placed, order }))
        .sort(
          (a, b) =>
            RENDER_ORDER.indexOf(a.group) - RENDER_ORDER.indexOf(b.group) ||
            (a.block.cellIndex ?? -1) - (b.block.cellIndex ?? -1) ||
            a.order - b.order
        )
        .map(placed => placed.block);
      const used =
        estimateTokens(this._header + '\n\n') + ordered.reduce((sum, block) => sum + block.tokens, 0);
      const leftOut = renderLeftOut(this._omitted, this._budget - used);
      const stable = [this._header, ...ordered.filter(b => b.kind === 'outline').map(b => b.text)];
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
        omitted: [...this._omitted],
        totalTokens: estimateTokens(text) + imageTokens,
        redactions: (text.match(/\[REDACTED:/g) ?? []).length,
        text,
        stableText,
        volatileText
      };
    }

    private _request: IContextRequest;
    private _options: Required<IContextOptions>;
    private _cells: ICell[];
    private _indexOf = new Map<string, number>();
    private _outline: ICellOutline[];
    private _language: string;
    private _header: string;
    private _budget: number;
    private _reserve: number;
    private _available: number;
    private _active: number;
    private _placed: IPlaced[] = [];
    private _omitted: IOmittedPart[] = [];
    private _excluded = new Set<string>();
    private _shownOutputs = new Set<number>();
    private _images = 0;
  }

  /**
   * A block with its heading; tokens count the blank line that follows it in the text.
   */
  export function makeBlock(
    kind: ContextBlockKind,
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
   * Make a block from `body`, clipping the body until the block fits `allowance`; null if it
   * cannot fit with some content left.
   */
  export function fitBlock(
    make: (body: string) => IContextBlock,
    body: string,
    allowance: number
  ): IContextBlock | null {
    if (allowance < MIN_BLOCK_TOKENS) {
      return null;
    }
    let block = make(body);
    let chars = body.length;
    while (block.tokens > allowance) {
      chars = Math.floor(chars * Math.min(0.9, allowance / block.tokens));
      if (chars < 80) {
        return null;
      }
      block = make(headTail(body, chars));
    }
    return block;
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
        out.push(`… ${formatCount(skipped.length, 'cell')} not shown (#${skipped[0] + 1}–#${skipped[skipped.length - 1] + 1}) …`);
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
  export function renderLeftOut(omitted: IOmittedPart[], maxTokens: number): string {
    if (!omitted.length) {
      return '';
    }
    const groups = new Map<string, IOmittedPart[]>();
    for (const part of omitted) {
      const key = `${part.kind}\u0000${part.reason}`;
      groups.set(key, [...(groups.get(key) ?? []), part]);
    }
    const describe = (detail: 'ids' | 'ranges' | 'counts'): string => {
      const lines = [LEFT_OUT_HEADING];
      for (const parts of groups.values()) {
        const { kind, reason } = parts[0];
        const tokens = parts.reduce((sum, part) => sum + part.tokens, 0);
        const what = `${formatCount(parts.length, KIND_NOUN[kind])} (${reason}${tokens ? `, ≈${formatNumber(tokens)} tokens` : ''})`;
        if (detail === 'counts') {
          lines.push(`- ${what}`);
        } else if (detail === 'ids' || parts.every(part => part.cellIndex === undefined)) {
          lines.push(`- ${what}: ${parts.map(referTo).join(', ')}`);
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
    const short = `${LEFT_OUT_HEADING}\n- ${formatCount(omitted.length, 'part')}`;
    return estimateTokens('\n\n' + short) <= maxTokens ? short : '';
  }

  const KIND_NOUN: { [kind in ContextBlockKind]: string } = {
    outline: 'outline row',
    'active-cell': 'active cell',
    'selected-cell': 'selected cell',
    error: 'error',
    output: 'cell output',
    variables: 'variable summary',
    image: 'image'
  };

  function referTo(part: IOmittedPart): string {
    return part.cellIndex === undefined ? part.id : `#${part.cellIndex + 1} (${part.id})`;
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

  export function executed(row: ICellOutline | undefined): string {
    return row && row.executionCount !== null ? ` In[${row.executionCount}]` : '';
  }

  function lastExecutedIndex(rows: ICellOutline[]): number {
    let best = -1;
    let bestCount = -1;
    for (const row of rows) {
      if (row.executionCount !== null && row.executionCount >= bestCount) {
        best = row.index;
        bestCount = row.executionCount;
      }
    }
    return best;
  }
}
