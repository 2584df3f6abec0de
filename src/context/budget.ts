/*
 * Building what Claude sees of a notebook, in priority order, inside a token budget: the
 * request and its result. Fitting the parts is fit.ts, rendering them as text render.ts.
 */
import type { INotebookContent } from '@jupyterlab/nbformat';
import { ContextFitter } from './fit';
import type { IImageCandidate } from './images';
import type { IContextPart } from './tokens';

/**
 * One part of the context as sent: a context part with its text (and the image it attaches).
 */
export interface IContextBlock extends IContextPart {
  /** The block's text exactly as it appears in `INotebookContext.text`, heading included. */
  text: string;
  /** For image blocks: the image to attach after downsampling. */
  image?: IImageCandidate;
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
  /** What was left out, in priority order (each with its `cause` and `reason`). */
  omitted: IContextPart[];
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
  return new ContextFitter(request).build();
}
