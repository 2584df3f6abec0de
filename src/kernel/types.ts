/*
 * What kernel inspection returns. Language-neutral: every language's inspector prints the same
 * JSON reply (protocol 1), which reply.ts turns into these shapes.
 */

/**
 * Caps on what the kernel-side inspector collects; every one bounds time or size.
 */
export interface IInspectionLimits {
  /** Variables described in one listing. */
  maxVariables: number;
  /** Rows from the head and from the tail of each frame. */
  maxRows: number;
  /** Columns listed per frame in a listing. */
  maxColumns: number;
  /** Values shown for arrays. */
  maxValues: number;
  /** Characters per table cell. */
  maxCellChars: number;
  /** Characters of a scalar's, text's or container's repr. */
  maxReprChars: number;
  /** Bytes of the whole reply: rows, then columns, then variables are trimmed to fit. */
  maxReplyBytes: number;
  /** Seconds for the whole inspection inside the kernel; later variables are skipped. */
  budgetSeconds: number;
  /** Seconds for one variable before the inspector gives up on it. */
  perVariableSeconds: number;
  /** Rows of a requested slice. */
  maxSliceRows: number;
  /** Columns listed when one variable is described in depth. */
  maxDetailColumns: number;
  /** Distinct values of a text column are counted only up to this many rows. */
  maxUniqueRows: number;
}

export const DEFAULT_LIMITS: IInspectionLimits = {
  maxVariables: 100,
  maxRows: 5,
  maxColumns: 30,
  maxValues: 10,
  maxCellChars: 60,
  maxReprChars: 200,
  maxReplyBytes: 65536,
  budgetSeconds: 2,
  perVariableSeconds: 0.5,
  maxSliceRows: 50,
  maxDetailColumns: 200,
  maxUniqueRows: 2_000_000
};

/**
 * One variable in more depth: a row slice and/or one column's statistics.
 */
export interface IVariableRequest {
  name: string;
  /** First row of a slice (negative counts from the end). */
  start?: number;
  /** Row after the last of a slice; at most `maxSliceRows` rows are returned. */
  stop?: number;
  /** A frame's column to compute statistics for (one O(rows) pass over that column only). */
  column?: string;
  /** Statistics of a series or a 1-D array itself. */
  stats?: boolean;
}

export interface IColumnSummary {
  name: string;
  dtype: string;
}

export interface IColumnStats {
  column?: string;
  dtype: string;
  count: number;
  nulls: number;
  min?: number | string | null;
  max?: number | string | null;
  mean?: number | string | null;
  std?: number | string | null;
  true?: number;
  distinct?: number;
  top?: Array<[string, number]>;
  note?: string;
}

/**
 * Summary of one variable. Which fields are present depends on `kind`.
 */
export interface IKernelVariable {
  name: string;
  /** Short type name, e.g. `pandas.DataFrame`, `list`, `__main__.Model`. */
  type: string;
  /**
   * How it was summarised: `pandas-frame`, `pandas-series`, `polars-frame`, `polars-lazy`,
   * `numpy-array`, `xarray-array`, `dask-frame`, `spark-frame`, `scalar`, `text`,
   * `collection`, `object`, ...
   */
  kind: string;
  /** Sizes per dimension; `null` where unknown without computing (lazy frames). */
  shape?: Array<number | null>;
  dtype?: string;
  columns?: IColumnSummary[];
  /** Columns not listed because of the caps. */
  columnsOmitted?: number;
  /** Memory estimate without a deep scan. */
  memoryBytes?: number;
  memoryNote?: string;
  /** Column labels of `head`/`tail` rows; each row starts with its index label. */
  rowColumns?: string[];
  head?: string[][];
  tail?: string[][];
  /** The rows `head` holds when a slice was asked for. */
  slice?: [number, number];
  /** Leading values of an array (flattened) or an index. */
  values?: string[];
  /** Capped repr of a scalar, text, container or object. */
  value?: string;
  length?: number;
  seriesName?: string;
  /** A lazy or distributed object: described from its schema, never computed. */
  lazy?: boolean;
  npartitions?: number;
  chunksize?: Array<number | null>;
  dims?: Record<string, number>;
  coords?: Array<{ name: string; dims: string[]; size: number; dtype: string }>;
  dataVars?: Array<{ name: string; dims: string[]; dtype: string }>;
  index?: { type: string; dtype: string };
  columnStats?: IColumnStats;
  note?: string;
  /** Why rows or statistics were not produced (lazy frames). */
  refused?: string;
  /** The inspector could not summarise this variable (it raised, or took too long). */
  error?: string;
  lengthError?: string;
  shapeError?: string;
}

/**
 * Fields every successful reply carries.
 */
export interface IInspectionReplyBase {
  ok: true;
  /** The kernel's language, e.g. `python`. */
  language: string;
  /** Interpreter version, when the inspector reports it. */
  languageVersion?: string;
  /** Data libraries already loaded in the kernel, with versions. */
  libraries: Record<string, string>;
  /** What was left out to keep the reply under its size cap. */
  trimmed: string[];
  /** Time the inspector spent inside the kernel. */
  elapsedMs: number;
}

export interface IKernelInspection extends IInspectionReplyBase {
  variables: IKernelVariable[];
  /** User variables found, including those not described. */
  totalVariables: number;
  /** Variables not described because the time budget ran out. */
  skipped: Array<{ name: string; type: string }>;
  skippedReason?: string;
}

export interface IKernelVariableDetail extends IInspectionReplyBase {
  variable: IKernelVariable;
}

/**
 * Why there is no inspection.
 *
 * - `no-kernel`: the notebook has no kernel.
 * - `dead`: the kernel died or was shut down.
 * - `busy`: the kernel stayed busy longer than we were willing to wait.
 * - `timeout`: the kernel did not answer in time (nothing was interrupted).
 * - `not-python`: no inspector exists for the kernel's language.
 * - `restarting`: the kernel is restarting (it may have died).
 * - `not-found`: the named variable does not exist.
 * - `error`: the request failed or the reply could not be read.
 */
export type InspectionFailureReason =
  'no-kernel' | 'dead' | 'busy' | 'restarting' | 'timeout' | 'not-python' | 'not-found' | 'error';

export interface IInspectionFailure {
  ok: false;
  reason: InspectionFailureReason;
  /** One line for the scientist (and for Claude). */
  message: string;
  /** The kernel's language, when known. */
  language?: string;
}

export type KernelInspectionResult = IKernelInspection | IInspectionFailure;
export type KernelVariableResult = IKernelVariableDetail | IInspectionFailure;

/**
 * The code one kernel language needs. Add an R or Julia inspector beside the Python one: it
 * prints the same JSON reply (see inspector.py) and registers under its `language_info.name`.
 */
export interface IKernelLanguageInspector {
  /** `language_info.name` as the kernel reports it, lower case. */
  readonly language: string;
  /** Code that lists every user variable (a promise where the code loads lazily). */
  listCode(limits: IInspectionLimits): string | Promise<string>;
  /** Code that describes one variable in depth. */
  variableCode(request: IVariableRequest, limits: IInspectionLimits): string | Promise<string>;
}
