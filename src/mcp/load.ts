/*
 * Keep the data: the cell that loads a result saved beside the notebook into the kernel, a
 * pandas DataFrame where the content is tabular (a list of records, or columns of equal length).
 */
import { PathExt } from '@jupyterlab/coreutils';
import type { IMcpResult } from './tokens';

/**
 * What was saved, and where.
 */
export interface ISavedData {
  /** The saved file, relative to the Jupyter root. */
  path: string;
  /** The notebook it was saved beside, relative to the Jupyter root. */
  notebookPath: string;
  server: string;
  /** The tool, or `resource-<name>` for a resource. */
  stem: string;
  /** The JSON value in the file that holds the data, as Python subscripts after the record. */
  access: string;
  /** That value itself (to see whether it is tabular). */
  value: unknown;
  /** The value is JSON text inside the record (a text block), not JSON itself. */
  parse: boolean;
}

/**
 * Where the data of a tool result is in its saved record.
 */
export function toolResultData(result: IMcpResult): { access: string; value: unknown; parse: boolean } {
  if (result.structuredContent !== undefined && result.structuredContent !== null) {
    return { access: '["result"]["structuredContent"]', value: result.structuredContent, parse: false };
  }
  const texts = (result.content ?? []).map((b, i) => ({ b, i })).filter(({ b }) => b.type === 'text');
  if (texts.length === 1) {
    const parsed = Private.parse(texts[0].b.text ?? '');
    if (parsed !== undefined) {
      return { access: `["result"]["content"][${texts[0].i}]["text"]`, value: parsed, parse: true };
    }
  }
  return { access: '["result"]', value: result, parse: false };
}

/**
 * Where the data of a resource is in its saved record (`contents`).
 */
export function resourceData(contents: { text?: string }[]): { access: string; value: unknown; parse: boolean } {
  if (contents.length === 1 && typeof contents[0].text === 'string') {
    const parsed = Private.parse(contents[0].text);
    if (parsed !== undefined) {
      return { access: '["contents"][0]["text"]', value: parsed, parse: true };
    }
    return { access: '["contents"][0]["text"]', value: contents[0].text, parse: false };
  }
  return { access: '["contents"]', value: contents, parse: false };
}

/**
 * The columns of a tabular value: a list of records, or the list fields of one length (2+).
 */
export function tabularShape(value: unknown): { kind: 'records' } | { kind: 'columns'; columns: string[] } | null {
  if (Array.isArray(value)) {
    return value.length && value.every(Private.isRecord) ? { kind: 'records' } : null;
  }
  if (!Private.isRecord(value)) {
    return null;
  }
  const lists = Object.entries(value).filter(
    ([, v]) => Array.isArray(v) && v.length >= 2 && v.every(x => x === null || typeof x !== 'object')
  ) as [string, unknown[]][];
  const byLength = new Map<number, string[]>();
  for (const [key, list] of lists) {
    byLength.set(list.length, [...(byLength.get(list.length) ?? []), key]);
  }
  const best = [...byLength.values()].sort((a, b) => b.length - a.length)[0];
  return best && best.length >= 1 ? { kind: 'columns', columns: best } : null;
}

/**
 * The source of a code cell that loads saved data into the kernel.
 */
export function loadCellSource(saved: ISavedData): string {
  const name = Private.identifier(saved.stem);
  const folder = PathExt.dirname(saved.notebookPath);
  // The kernel starts in the notebook's folder: the path is relative to it.
  const path = folder ? PathExt.relative(folder, saved.path) : saved.path;
  const shape = tabularShape(saved.value);
  const lines = [
    `# ${saved.server} ${saved.stem}, saved beside this notebook`,
    'import json',
    ...(shape ? ['import pandas as pd'] : []),
    '',
    `with open(${JSON.stringify(path)}, encoding="utf-8") as f:`,
    `    ${name}_record = json.load(f)`,
    saved.parse ? `${name} = json.loads(${name}_record${saved.access})` : `${name} = ${name}_record${saved.access}`
  ];
  if (shape?.kind === 'records') {
    lines.push(`${name}_df = pd.DataFrame(${name})`, `${name}_df`);
  } else if (shape?.kind === 'columns') {
    const columns = `[${shape.columns.map(c => JSON.stringify(c)).join(', ')}]`;
    lines.push(
      `${name}_df = pd.DataFrame({column: ${name}[column] for column in ${columns}})`,
      `# The other fields (temperature, units, time...) travel with the frame.`,
      `${name}_df.attrs.update({k: v for k, v in ${name}.items() if k not in ${columns}})`,
      `${name}_df`
    );
  } else {
    lines.push(name);
  }
  return lines.join('\n');
}

namespace Private {
  export function isRecord(value: unknown): value is Record<string, unknown> {
    return !!value && typeof value === 'object' && !Array.isArray(value);
  }

  export function parse(text: string): unknown {
    const trimmed = text.trim();
    if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) {
      return undefined;
    }
    try {
      return JSON.parse(trimmed);
    } catch {
      return undefined;
    }
  }

  /** A Python identifier from a tool name. */
  export function identifier(stem: string): string {
    const name = stem.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1');
    return name || 'data';
  }
}
