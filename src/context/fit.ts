/*
 * Fitting what Claude sees of a notebook into a token budget: the parts in priority order,
 * each shortened to its allowance, and what does not fit named as left out.
 */
import type { ICell, IOutput } from '@jupyterlab/nbformat';
import type { IContextBlock, IContextOptions, IContextRequest, INotebookContext } from './budget';
import { cellIdOf, type ICellOutline, lastError, outlineNotebook } from './notebook';
import { type IOutputSummary, summariseOutput } from './outputs';
import { redactSecrets } from './redact';
import {
  executed,
  fence,
  type IPlacedBlock,
  makeBlock,
  omittedPart,
  outlineRow,
  renderContext,
  renderOutline,
  renderSummaries
} from './render';
import { CHARS_PER_TOKEN, estimateTokens, formatCount, headTail, joinMultiline } from './text';
import type { ContextPartKind, IContextPart, OmittedCause } from './tokens';

/**
 * Fits the parts of a notebook's context into its budget, in priority order.
 */
export class ContextFitter {
  constructor(request: IContextRequest) {
    this._request = request;
    this._options = { ...Private.DEFAULTS, ...(request.options ?? {}) };
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
      this._omit('active-cell', request.activeCellId, 'missing', 0);
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
      this._omit('outline', 'outline', 'budget', 0);
    }
    let result = this._render();
    // The estimate is additive, so this holds; the loop is a guard against rounding surprises.
    while (result.totalTokens > this._budget && this._placed.length) {
      const dropped = this._placed.pop()!;
      this._omit(dropped.block.kind, dropped.block.id, 'budget', dropped.block.tokens, dropped.block.cellIndex);
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
      this._omit('error', error.cellId, 'budget', block.tokens, error.cellIndex);
    }
  }

  private _addSelectedCells(): void {
    const wanted = [...(this._request.selectedCellIds ?? []), ...(this._request.extraCellIds ?? [])];
    const indices = new Set<number>();
    for (const id of wanted) {
      const index = this._indexOf.get(id);
      if (index === undefined) {
        if (!this._omitted.some(o => o.id === id)) {
          this._omit('selected-cell', id, 'missing', 0);
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
    const block = Private.fitBlock(
      body => makeBlock('variables', 'variables', title, fence(body, 'text')),
      redacted,
      allowance
    );
    if (block) {
      this._place(block, 'variables');
    } else {
      this._omit('variables', 'variables', 'budget', estimateTokens(redacted));
    }
  }

  private _addOutline(): void {
    const rows = this._outline;
    const title = `Outline (${formatCount(rows.length, 'cell')})`;
    const center = this._active >= 0 ? this._active : Math.max(0, Private.lastExecutedIndex(rows));
    const attempts: Array<{ lines: number; radius: number }> = [];
    for (let lines = this._options.outlineFirstLines; lines >= 0; lines--) {
      attempts.push({ lines, radius: Infinity });
    }
    for (const radius of Private.OUTLINE_RADII) {
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
              this._omit('outline', row.id, 'outline-window', estimateTokens(outlineRow(row, 0)), row.index);
            }
          }
        }
        return;
      }
    }
    this._omit('outline', 'outline', 'budget', estimateTokens(renderOutline(rows, 0, center, Infinity)));
  }

  private _addOtherOutputs(): void {
    const center = this._active >= 0 ? this._active : 0;
    const candidates = this._outline
      .filter(row => row.outputCount > 0 && !this._shownOutputs.has(row.index))
      .sort((a, b) => Math.abs(a.index - center) - Math.abs(b.index - center) || a.index - b.index);
    for (const row of candidates) {
      const cell = this._cells[row.index];
      const outputs = (cell.outputs as IOutput[]) ?? [];
      if (this._available < Private.MIN_BLOCK_TOKENS) {
        this._omit('output', row.id, 'budget', row.outputTokens, row.index);
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
        const block = Private.fitBlock(
          text => makeBlock('output', row.id, title, text, row.index),
          body,
          Math.min(this._available, perOutput * outputs.length + 30)
        );
        if (block) {
          this._place(block, 'output');
        } else {
          this._omit('output', row.id, 'budget', row.outputTokens, row.index);
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
    if (allowance < Private.MIN_BLOCK_TOKENS) {
      this._omit(kind, row.id, 'budget', row.sourceTokens + row.outputTokens, index);
      return;
    }
    const source = redactSecrets(joinMultiline(cell.source as any)).text;
    const outputs: IOutput[] = cell.cell_type === 'code' ? ((cell.outputs as IOutput[]) ?? []) : [];
    const title = `${label} #${index + 1} (${row.kind}${executed(row)}, id=${row.id})`;
    const language = row.kind === 'code' ? this._language : row.kind === 'markdown' ? 'markdown' : 'text';
    const sourceTokens = estimateTokens(source);
    const sourceAllowance = outputs.length
      ? Math.max(Math.floor(allowance * 0.6), allowance - 30 - outputs.length * this._options.cellOutputTokens)
      : allowance - 30;
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
    const block = Private.fitBlock(body => makeBlock(kind, row.id, title, body, index), parts.join('\n'), allowance);
    if (!block) {
      this._omit(kind, row.id, 'budget', row.sourceTokens + row.outputTokens, index);
      return;
    }
    this._place(block, kind);
    this._shownOutputs.add(index);
    this._addImages(row, summaries, kind);
  }

  private _addImages(row: ICellOutline, summaries: IOutputSummary[], group: ContextPartKind): void {
    summaries.forEach((summary, k) => {
      if (!summary.image) {
        return;
      }
      const id = `${row.id}/outputs/${k}`;
      const image = summary.image;
      if (this._images >= this._options.maxImages) {
        this._omit('image', id, 'image-limit', image.tokens, row.index);
        return;
      }
      const title = `Image: output ${k + 1} of cell #${row.index + 1} (id=${row.id})`;
      const note = image.needsDownsample ? `, sent at most ${this._options.maxImageDimension} px wide or high` : '';
      const block = makeBlock('image', id, title, `[${summary.text}${note}: attached as an image]`, row.index, image);
      if (this._fits(block)) {
        this._place(block, group);
        this._images++;
      } else {
        this._omit('image', id, 'budget', image.tokens, row.index);
      }
    });
  }

  private _fits(block: IContextBlock): boolean {
    return block.tokens <= this._available;
  }

  private _place(block: IContextBlock, group: ContextPartKind): void {
    if (this._excluded.has(block.id)) {
      // Removed by the scientist: named as left out, so Claude can still ask for it.
      if (!this._omitted.some(part => part.id === block.id && part.cause === 'removed')) {
        this._omit(block.kind, block.id, 'removed', block.tokens, block.cellIndex);
      }
      return;
    }
    this._placed.push({ block, group });
    this._available -= block.tokens;
  }

  private _omit(kind: ContextPartKind, id: string, cause: OmittedCause, tokens: number, cellIndex?: number): void {
    this._omitted.push(omittedPart(kind, id, cause, tokens, cellIndex));
  }

  private _render(): INotebookContext {
    return renderContext(this._header, this._placed, this._omitted, this._budget);
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
  private _placed: IPlacedBlock[] = [];
  private _omitted: IContextPart[] = [];
  private _excluded = new Set<string>();
  private _shownOutputs = new Set<number>();
  private _images = 0;
}

namespace Private {
  export const DEFAULTS: Required<IContextOptions> = {
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

  // Below this, a block would be all heading and no content.
  export const MIN_BLOCK_TOKENS = 40;

  // Outline windows tried, in cells either side of the active cell, when the outline is too big.
  export const OUTLINE_RADII = [100, 50, 25, 12, 6, 3, 1, 0];

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

  export function lastExecutedIndex(rows: ICellOutline[]): number {
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
