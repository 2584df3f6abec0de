/*
 * Reading the inspector's JSON reply (protocol 1, the same for every kernel language).
 */
import type {
  IColumnStats,
  IInspectionFailure,
  IKernelInspection,
  IKernelVariable,
  IKernelVariableDetail
} from './types';

/** Every reply line starts with this, so other output on stdout is ignored. */
export const REPLY_PREFIX = '{"inspector":"jupyterlab-claude"';

/**
 * Find the reply line in a request's stdout and parse it.
 *
 * Returns a failure when there is no reply line, it is not JSON, or its protocol is unknown.
 */
export function parseReplyText(stdout: string): { ok: true; reply: Record<string, any> } | IInspectionFailure {
  const lines = stdout.split('\n').filter(line => line.startsWith(REPLY_PREFIX));
  if (lines.length === 0) {
    return { ok: false, reason: 'error', message: 'The kernel sent no inspection reply.' };
  }
  let reply: Record<string, any>;
  try {
    reply = JSON.parse(lines[lines.length - 1]);
  } catch (error) {
    return { ok: false, reason: 'error', message: `The kernel's inspection reply is not valid JSON: ${error}` };
  }
  if (reply.protocol !== 1) {
    return { ok: false, reason: 'error', message: `Unknown inspection reply protocol ${reply.protocol}.` };
  }
  return { ok: true, reply };
}

/**
 * The typed listing from a parsed `list` reply.
 */
export function toInspection(reply: Record<string, any>): IKernelInspection {
  return {
    ...base(reply),
    variables: asArray(reply.variables).map(toVariable),
    totalVariables: Number(reply.total_variables ?? asArray(reply.variables).length),
    skipped: asArray(reply.skipped).map((pair: any) => ({ name: String(pair[0]), type: String(pair[1]) })),
    ...(reply.skipped_reason ? { skippedReason: String(reply.skipped_reason) } : {})
  };
}

/**
 * The typed detail from a parsed `detail` reply, or `not-found`.
 */
export function toVariableDetail(reply: Record<string, any>): IKernelVariableDetail | IInspectionFailure {
  if (!reply.variable) {
    const message = String(reply.error ?? 'The kernel described no variable.');
    const reason = /^no variable named/.test(message) ? 'not-found' : 'error';
    return { ok: false, reason, message, language: reply.language };
  }
  return { ...base(reply), variable: toVariable(reply.variable) };
}

function base(reply: Record<string, any>) {
  return {
    ok: true as const,
    language: String(reply.language ?? 'unknown'),
    ...(reply.python ? { languageVersion: String(reply.python) } : {}),
    libraries: (reply.libraries ?? {}) as Record<string, string>,
    trimmed: asArray(reply.trimmed).map(String),
    elapsedMs: Number(reply.elapsed_ms ?? 0)
  };
}

function asArray(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/**
 * One variable of the reply, with camelCase fields and only those that are present.
 */
export function toVariable(raw: Record<string, any>): IKernelVariable {
  const v: IKernelVariable = { name: String(raw.name), type: String(raw.type), kind: String(raw.kind) };
  const copy: Array<[string, keyof IKernelVariable]> = [
    ['shape', 'shape'],
    ['dtype', 'dtype'],
    ['columns_omitted', 'columnsOmitted'],
    ['memory_bytes', 'memoryBytes'],
    ['memory_note', 'memoryNote'],
    ['row_columns', 'rowColumns'],
    ['head', 'head'],
    ['tail', 'tail'],
    ['slice', 'slice'],
    ['values', 'values'],
    ['value', 'value'],
    ['length', 'length'],
    ['series_name', 'seriesName'],
    ['lazy', 'lazy'],
    ['npartitions', 'npartitions'],
    ['chunksize', 'chunksize'],
    ['dims', 'dims'],
    ['index', 'index'],
    ['note', 'note'],
    ['refused', 'refused'],
    ['error', 'error'],
    ['length_error', 'lengthError'],
    ['shape_error', 'shapeError']
  ];
  for (const [from, to] of copy) {
    if (raw[from] !== undefined && raw[from] !== null) {
      (v as any)[to] = raw[from];
    }
  }
  if (Array.isArray(raw.columns)) {
    v.columns = raw.columns.map((pair: any) => ({ name: String(pair[0]), dtype: String(pair[1]) }));
  }
  if (Array.isArray(raw.coords)) {
    v.coords = raw.coords.map((c: any) => ({ name: c[0], dims: c[1], size: c[2], dtype: c[3] }));
  }
  if (Array.isArray(raw.data_vars)) {
    v.dataVars = raw.data_vars.map((d: any) => ({ name: d[0], dims: d[1], dtype: d[2] }));
  }
  if (raw.column_stats) {
    v.columnStats = raw.column_stats as IColumnStats;
  }
  return v;
}
