/*
 * The notebook's read tools Claude may call while answering: a cell in full, an output in full
 * (paged), a variable in more depth, the files under the Jupyter root and the head of a data
 * file. They are `read` tools: they answer at once and change nothing (the notebook, the
 * kernel's variables and the files stay as they were). The registry bounds and redacts what
 * they return.
 */
import type { ICell, IOutput } from '@jupyterlab/nbformat';
import { PathExt } from '@jupyterlab/coreutils';
import { cellIdOf } from '../context/cellId';
import type { IVariableRequest } from '../kernel/types';
import { boundaryBefore } from '../unicode';
import type { ITool, IToolCallContext, IToolResult } from './tokens';

/**
 * Characters in one page of `read_output`.
 */
export const OUTPUT_PAGE_CHARS = 8000;

/**
 * Read one cell in full.
 */
export const readCellTool: ITool = {
  name: 'read_cell',
  kind: 'read',
  description:
    'Read one cell of the notebook in full: its source and its outputs (summarised; use read_output for an output in full). Cells are named by the ids in the notebook context.',
  input_schema: {
    type: 'object',
    properties: { cell_id: { type: 'string', description: 'The cell id.' } },
    required: ['cell_id']
  },
  describe: (args, context) => `Read cell ${context.cellLabel(String(args.cell_id))}`,
  handler: async (args, context) => {
    const id = String(args.cell_id ?? '');
    const { cell, index } = findCell(context, id);
    const source = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
    const lines = [`Cell #${index + 1} (${cell.cell_type}, id=${id})`];
    if (cell.cell_type === 'code' && cell.execution_count) {
      lines[0] += ` In[${cell.execution_count}]`;
    }
    lines.push('```', source, '```');
    const outputs = (cell.cell_type === 'code' ? (cell.outputs as IOutput[]) : []) ?? [];
    const summariseOutput = await Private.summariser();
    outputs.forEach((output, i) => {
      const summary = summariseOutput(output, 1500);
      lines.push(`Output ${i} (${summary.kind}${summary.truncated ? ', summarised: read_output for all of it' : ''}):`);
      lines.push(summary.text);
    });
    return { content: lines.join('\n') };
  }
};

/**
 * Read one output in full, a page at a time.
 */
export const readOutputTool: ITool = {
  name: 'read_output',
  kind: 'read',
  description: `Read one output of a cell in full, ${OUTPUT_PAGE_CHARS} characters a page (text, tracebacks, tables as text).`,
  input_schema: {
    type: 'object',
    properties: {
      cell_id: { type: 'string' },
      output_index: { type: 'integer', minimum: 0, description: '0 for the first output.' },
      page: { type: 'integer', minimum: 0, description: '0 for the first page.' }
    },
    required: ['cell_id', 'output_index']
  },
  describe: (args, context) =>
    `Read output ${Number(args.output_index ?? 0) + 1} of cell ${context.cellLabel(String(args.cell_id))}` +
    (args.page ? `, page ${Number(args.page) + 1}` : ''),
  handler: async (args, context) => {
    const id = String(args.cell_id ?? '');
    const outputIndex = Number(args.output_index ?? 0);
    const { cell, index } = findCell(context, id);
    const outputs = (cell.cell_type === 'code' ? (cell.outputs as IOutput[]) : []) ?? [];
    const output = outputs[outputIndex];
    if (!output) {
      throw new Error(`Cell #${index + 1} has ${outputs.length} outputs; there is no output ${outputIndex}.`);
    }
    // As large a budget as a page allows many of: the summariser still strips ANSI and redacts.
    const text = (await Private.summariser())(output, 5_000_000).text;
    const pages = Math.max(1, Math.ceil(text.length / OUTPUT_PAGE_CHARS));
    const p = Math.min(Math.max(0, Math.floor(Number(args.page ?? 0)) || 0), pages - 1);
    // Pages start and end on the same character boundaries, so they tile the text exactly.
    const body = text.slice(
      boundaryBefore(text, p * OUTPUT_PAGE_CHARS),
      boundaryBefore(text, (p + 1) * OUTPUT_PAGE_CHARS)
    );
    return { content: `Output ${outputIndex} of cell #${index + 1} (id=${id}), page ${p + 1} of ${pages}:\n${body}` };
  }
};

/**
 * Summarise one kernel variable in more depth.
 */
export const inspectVariableTool: ITool = {
  name: 'inspect_variable',
  kind: 'read',
  description:
    "Summarise one variable of the notebook's kernel in more depth: more columns, a slice of rows (start/stop), or one column's statistics. Bounded; never computes lazy frames; changes nothing.",
  input_schema: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      start: { type: 'integer', minimum: 0 },
      stop: { type: 'integer', minimum: 0 },
      column: { type: 'string', description: 'A column to describe (count, nulls, min, max, mean).' }
    },
    required: ['name']
  },
  describe: args => `Inspected the variable ${String(args.name)}`,
  handler: async (args, context) => {
    const request: IVariableRequest = { name: String(args.name ?? '') };
    if (typeof args.start === 'number') {
      request.start = args.start;
    }
    if (typeof args.stop === 'number') {
      request.stop = args.stop;
    }
    if (typeof args.column === 'string') {
      request.column = args.column;
    }
    const result = await context.inspectVariable(context.kernel(), request);
    const { formatVariableDetail } = await import(/* webpackChunkName: "context" */ '../kernel/summary');
    return { content: formatVariableDetail(result, 3500), isError: !result.ok };
  }
};

/**
 * List a folder under the Jupyter root.
 */
export const listFilesTool: ITool = {
  name: 'list_files',
  kind: 'read',
  description:
    'List a folder: a path relative to the notebook\'s folder ("" for the notebook\'s own folder). Only folders under the Jupyter root can be read.',
  input_schema: {
    type: 'object',
    properties: { path: { type: 'string' } },
    required: ['path']
  },
  describe: args => `Listed the folder ${args.path ? String(args.path) : 'of the notebook'}`,
  handler: async (args, context) =>
    Private.renderListing(await context.files('list', { path: resolvePath(context, args.path) }), context.notebookDir())
};

/**
 * Read the head of a data file under the Jupyter root.
 */
export const readFileHeadTool: ITool = {
  name: 'read_file_head',
  kind: 'read',
  description:
    'Read the beginning of a file under the Jupyter root: CSV/TSV (header and first rows), JSON, JSON Lines, Parquet (schema and first rows) or text.',
  input_schema: {
    type: 'object',
    properties: {
      path: { type: 'string', description: "Relative to the notebook's folder." },
      lines: { type: 'integer', minimum: 1, maximum: 200 }
    },
    required: ['path']
  },
  describe: args => `Read the beginning of ${String(args.path)}`,
  handler: async (args, context) =>
    Private.renderHead(
      await context.files('head', {
        path: resolvePath(context, args.path),
        lines: String(Math.min(200, Math.max(1, Number(args.lines ?? 20) || 20)))
      })
    )
};

/**
 * The notebook's read tools, in the order Claude is offered them.
 */
export const NOTEBOOK_READ_TOOLS: ReadonlyArray<ITool> = [
  readCellTool,
  readOutputTool,
  inspectVariableTool,
  listFilesTool,
  readFileHeadTool
];

/**
 * A cell of the notebook by id, with its position; throws in words Claude can act on.
 */
export function findCell(context: IToolCallContext, id: string): { cell: ICell; index: number } {
  const notebook = context.notebook();
  if (!notebook) {
    throw new Error('The notebook is closed.');
  }
  const index = notebook.cells.findIndex((cell, i) => cellIdOf(cell, i) === id);
  if (index < 0) {
    throw new Error(`There is no cell with id ${id}. The ids are in the notebook outline.`);
  }
  return { cell: notebook.cells[index], index };
}

/**
 * A path Claude gave (relative to the notebook's folder) as the server takes it (relative
 * to the Jupyter root). A path that climbs out of the root keeps its `..` and is refused.
 */
export function resolvePath(context: IToolCallContext, path: unknown): string {
  const given = String(path ?? '');
  if (given.startsWith('/') || given.startsWith('~')) {
    return given;
  }
  return PathExt.normalize(PathExt.join(context.notebookDir(), given)).replace(/^\.$/, '');
}

namespace Private {
  /**
   * The output summariser (and the table, traceback and redaction code it uses), loaded with
   * the first call that reads an output rather than at start-up.
   */
  export async function summariser(): Promise<typeof import('../context/outputs').summariseOutput> {
    return (await import(/* webpackChunkName: "claude-tools" */ '../context/outputs')).summariseOutput;
  }

  export function renderListing(listing: any, notebookDir: string): IToolResult {
    // Paths as Claude gives them back: relative to the notebook's folder.
    const rows = (listing.entries ?? []).map(
      (e: any) =>
        `${e.type === 'directory' ? 'dir ' : 'file'}  ${PathExt.relative(notebookDir || '/', e.path)}${e.type === 'file' ? `  (${Number(e.size ?? 0).toLocaleString()} bytes)` : ''}`
    );
    const notes = [];
    if (listing.truncated) {
      notes.push('(list cut: more entries)');
    }
    if (listing.hidden) {
      notes.push(`(${listing.hidden} hidden files not listed)`);
    }
    const where = PathExt.relative(notebookDir || '/', listing.path || '') || "(the notebook's folder)";
    return { content: [`Folder ${where}:`, ...rows, ...notes].join('\n') };
  }

  export function renderHead(head: any): IToolResult {
    const lines = [
      `${head.path} (${head.format}, ${Number(head.size ?? 0).toLocaleString()} bytes${head.truncated ? ', beginning only' : ''})`
    ];
    if (Array.isArray(head.columns) && head.columns.length) {
      lines.push(`Columns: ${head.columns.join(', ')}`);
    }
    lines.push(String(head.text ?? ''));
    return { content: lines.join('\n') };
  }
}
