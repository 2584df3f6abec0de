/*
 * The read tools Claude may call while answering: a cell in full, an output in full (paged),
 * a variable in more depth, the files under the Jupyter root and the head of a data file.
 * They answer at once and change nothing: the notebook, the kernel's variables and the files
 * stay as they were. Everything they return is bounded and has secrets redacted.
 */
import type { ICell, INotebookContent, IOutput } from '@jupyterlab/nbformat';
import { PathExt } from '@jupyterlab/coreutils';
import type { Kernel } from '@jupyterlab/services';
import { cellIdOf } from '../context/notebook';
import { summariseOutput } from '../context/outputs';
import { redactSecrets } from '../context/redact';
import { formatVariableDetail } from '../kernel/summary';
import type { IVariableRequest, KernelVariableResult } from '../kernel/types';
import type { IClaudeTools, IToolCallInfo, IToolDefinition, IToolResult } from '../tokens';
import { HYPOTHESIS_INPUT_SCHEMA } from '../hypotheses/record';
import type { NotebookHypotheses } from '../hypotheses/notebook';
import type { NotebookProposals } from '../proposals/queue';
import { boundaryBefore, clipText, cutText } from '../unicode';

/**
 * The longest text one tool result may carry.
 */
export const MAX_RESULT_CHARS = 16000;

/**
 * Characters in one page of `read_output`.
 */
export const OUTPUT_PAGE_CHARS = 8000;

/**
 * What the tools read from.
 */
export interface INotebookToolInputs {
  notebook(): INotebookContent | null;
  kernel(): Kernel.IKernelConnection | null | undefined;
  inspectVariable(
    kernel: Kernel.IKernelConnection | null | undefined,
    request: IVariableRequest
  ): Promise<KernelVariableResult>;
  /** The notebook's folder, relative to the Jupyter root ('' for the root). */
  notebookDir(): string;
  /** Where proposals wait for the scientist (none: the write tools are not offered). */
  proposals?: NotebookProposals;
  /** The notebook's hypotheses (none: the hypothesis tools are not offered). */
  hypotheses?: NotebookHypotheses;
  /** GET a `claude/files/...` route of the Jupyter server; resolves to its JSON or throws with its message. */
  files(route: 'list' | 'head', params: Record<string, string>): Promise<any>;
}

const DEFINITIONS: IToolDefinition[] = [
  {
    name: 'read_cell',
    description:
      'Read one cell of the notebook in full: its source and its outputs (summarised; use read_output for an output in full). Cells are named by the ids in the notebook context.',
    input_schema: {
      type: 'object',
      properties: { cell_id: { type: 'string', description: 'The cell id.' } },
      required: ['cell_id']
    }
  },
  {
    name: 'read_output',
    description: `Read one output of a cell in full, ${OUTPUT_PAGE_CHARS} characters a page (text, tracebacks, tables as text).`,
    input_schema: {
      type: 'object',
      properties: {
        cell_id: { type: 'string' },
        output_index: { type: 'integer', minimum: 0, description: '0 for the first output.' },
        page: { type: 'integer', minimum: 0, description: '0 for the first page.' }
      },
      required: ['cell_id', 'output_index']
    }
  },
  {
    name: 'inspect_variable',
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
    }
  },
  {
    name: 'list_files',
    description:
      "List a folder: a path relative to the notebook's folder (\"\" for the notebook's own folder). Only folders under the Jupyter root can be read.",
    input_schema: {
      type: 'object',
      properties: { path: { type: 'string' } },
      required: ['path']
    }
  },
  {
    name: 'read_file_head',
    description:
      'Read the beginning of a file under the Jupyter root: CSV/TSV (header and first rows), JSON, JSON Lines, Parquet (schema and first rows) or text.',
    input_schema: {
      type: 'object',
      properties: {
        path: { type: 'string', description: "Relative to the notebook's folder." },
        lines: { type: 'integer', minimum: 1, maximum: 200 }
      },
      required: ['path']
    }
  }
];

const PROPOSAL_TOOLS: IToolDefinition[] = [
  {
    name: 'insert_cell',
    description:
      'Propose a new cell. The scientist reviews it; it is inserted only if accepted, and runs only if they choose to run it. The result tells you what they decided (and the outputs, if it ran).',
    input_schema: {
      type: 'object',
      properties: {
        cell_id: {
          type: ['string', 'null'],
          description: 'The id of the cell to insert after; null for the top of the notebook.'
        },
        cell_type: { type: 'string', enum: ['code', 'markdown'] },
        source: { type: 'string' }
      },
      required: ['cell_id', 'cell_type', 'source']
    }
  },
  {
    name: 'replace_cell',
    description:
      "Propose a new source for a cell (shown to the scientist as a diff). Applied only if accepted; the result says what they decided, with their edits if they edited it.",
    input_schema: {
      type: 'object',
      properties: { cell_id: { type: 'string' }, source: { type: 'string' } },
      required: ['cell_id', 'source']
    }
  },
  {
    name: 'delete_cell',
    description: 'Propose deleting a cell. Deleted only if the scientist accepts.',
    input_schema: { type: 'object', properties: { cell_id: { type: 'string' } }, required: ['cell_id'] }
  },
  {
    name: 'run_cell',
    description:
      "Ask to run a cell in the notebook's kernel. It runs only after the scientist approves; the result carries its outputs.",
    input_schema: { type: 'object', properties: { cell_id: { type: 'string' } }, required: ['cell_id'] }
  }
];

const HYPOTHESIS_TOOLS: IToolDefinition[] = [
  {
    name: 'propose_hypothesis',
    description:
      'Propose a testable hypothesis as a record: statement, context, variables, relationship, H0 and H1, and a falsification test (method, Python code that leaves its result in a dict named `result`, alpha, alternative, expected direction, smallest effect that would count). The scientist reviews it; if accepted, a Markdown cell stating it and a code cell with the test are inserted. Nothing runs without their click. Its status is computed from the test\'s result, not from your words. Read the ledger first (read_hypotheses) so you do not repeat a tested idea.',
    input_schema: {
      ...(HYPOTHESIS_INPUT_SCHEMA as IToolDefinition['input_schema']),
      properties: {
        ...((HYPOTHESIS_INPUT_SCHEMA as any).properties ?? {}),
        after_cell_id: {
          type: ['string', 'null'],
          description: 'The cell the statement and test cells go after (default: the end of the notebook).'
        }
      }
    }
  },
  {
    name: 'read_hypotheses',
    description:
      "Read the notebook's hypothesis ledger: every hypothesis with its status, evidence (statistic, p, effect, n) and verdict after the multiple-testing correction across the tests run.",
    input_schema: { type: 'object', properties: {} }
  }
];

const PROPOSAL_KINDS: Record<string, 'insert' | 'replace' | 'delete' | 'run'> = {
  insert_cell: 'insert',
  replace_cell: 'replace',
  delete_cell: 'delete',
  run_cell: 'run'
};

/**
 * The tools of one notebook: read tools, and proposals that wait for the scientist.
 */
export class NotebookTools implements IClaudeTools {
  constructor(private readonly _inputs: INotebookToolInputs) {}

  definitions(): IToolDefinition[] {
    return [
      ...DEFINITIONS,
      ...(this._inputs.proposals ? PROPOSAL_TOOLS : []),
      ...(this._inputs.hypotheses ? HYPOTHESIS_TOOLS : [])
    ];
  }

  cancelPending(): void {
    this._inputs.proposals?.cancelPending();
    this._inputs.hypotheses?.cancelPending();
  }

  describe(name: string, input: unknown): string {
    const args = (input ?? {}) as Record<string, unknown>;
    switch (name) {
      case 'read_cell':
        return `Read cell ${this._cellLabel(String(args.cell_id))}`;
      case 'read_output':
        return `Read output ${Number(args.output_index ?? 0) + 1} of cell ${this._cellLabel(String(args.cell_id))}` +
          (args.page ? `, page ${Number(args.page) + 1}` : '');
      case 'inspect_variable':
        return `Inspected the variable ${String(args.name)}`;
      case 'list_files':
        return `Listed the folder ${args.path ? String(args.path) : 'of the notebook'}`;
      case 'read_file_head':
        return `Read the beginning of ${String(args.path)}`;
      case 'insert_cell':
        return args.cell_id
          ? `Proposed a new ${String(args.cell_type ?? 'code')} cell after cell ${this._cellLabel(String(args.cell_id))}`
          : `Proposed a new ${String(args.cell_type ?? 'code')} cell at the top`;
      case 'replace_cell':
        return `Proposed a change to cell ${this._cellLabel(String(args.cell_id))}`;
      case 'delete_cell':
        return `Proposed deleting cell ${this._cellLabel(String(args.cell_id))}`;
      case 'run_cell':
        return `Asked to run cell ${this._cellLabel(String(args.cell_id))}`;
      case 'propose_hypothesis':
        return `Proposed a hypothesis: ${Private.clip(String(args.statement ?? ''), 80)}`;
      case 'read_hypotheses':
        return 'Read the hypothesis ledger';
      default:
        return name;
    }
  }

  async run(name: string, input: unknown, call?: IToolCallInfo): Promise<IToolResult> {
    const args = (input ?? {}) as Record<string, unknown>;
    let result: IToolResult;
    try {
      const kind = PROPOSAL_KINDS[name];
      if (kind && this._inputs.proposals) {
        // Waits for the scientist; what comes back is their decision (and outputs, if run).
        return this._bounded(
          await this._inputs.proposals.propose(kind, input, {
            toolUseId: call?.toolUseId ?? '',
            model: call?.model ?? '',
            requestId: call?.requestId ?? null
          })
        );
      }
      if (name === 'propose_hypothesis' && this._inputs.hypotheses) {
        return this._bounded(
          await this._inputs.hypotheses.propose(input, {
            toolUseId: call?.toolUseId ?? '',
            model: call?.model ?? '',
            requestId: call?.requestId ?? null
          })
        );
      }
      switch (name) {
        case 'read_hypotheses':
          result = this._inputs.hypotheses
            ? this._inputs.hypotheses.readForClaude()
            : { content: 'Hypotheses are not available here.', isError: true };
          break;
        case 'read_cell':
          result = this._readCell(String(args.cell_id ?? ''));
          break;
        case 'read_output':
          result = this._readOutput(String(args.cell_id ?? ''), Number(args.output_index ?? 0), Number(args.page ?? 0));
          break;
        case 'inspect_variable':
          result = await this._inspect(args);
          break;
        case 'list_files':
          result = Private.renderListing(
            await this._inputs.files('list', { path: this._resolve(args.path) }),
            this._inputs.notebookDir()
          );
          break;
        case 'read_file_head':
          result = Private.renderHead(
            await this._inputs.files('head', {
              path: this._resolve(args.path),
              lines: String(Math.min(200, Math.max(1, Number(args.lines ?? 20) || 20)))
            })
          );
          break;
        default:
          result = { content: `There is no tool named ${name}.`, isError: true };
      }
    } catch (error) {
      result = { content: error instanceof Error ? error.message : String(error), isError: true };
    }
    return this._bounded(result);
  }

  /**
   * Bounded and redacted, whatever the tool.
   */
  private _bounded(result: IToolResult): IToolResult {
    let content = redactSecrets(result.content).text;
    if (content.length > MAX_RESULT_CHARS) {
      const kept = cutText(content, MAX_RESULT_CHARS);
      content = `${kept}\n… [${(content.length - kept.length).toLocaleString()} characters cut]`;
    }
    return { ...result, content };
  }

  /**
   * A path Claude gave (relative to the notebook's folder) as the server takes it (relative
   * to the Jupyter root). A path that climbs out of the root keeps its `..` and is refused.
   */
  private _resolve(path: unknown): string {
    const given = String(path ?? '');
    if (given.startsWith('/') || given.startsWith('~')) {
      return given;
    }
    return PathExt.normalize(PathExt.join(this._inputs.notebookDir(), given)).replace(/^\.$/, '');
  }

  private _cell(id: string): { cell: ICell; index: number } {
    const notebook = this._inputs.notebook();
    if (!notebook) {
      throw new Error('The notebook is closed.');
    }
    const index = notebook.cells.findIndex((cell, i) => cellIdOf(cell, i) === id);
    if (index < 0) {
      throw new Error(`There is no cell with id ${id}. The ids are in the notebook outline.`);
    }
    return { cell: notebook.cells[index], index };
  }

  private _cellLabel(id: string): string {
    try {
      return `#${this._cell(id).index + 1}`;
    } catch {
      return id;
    }
  }

  private _readCell(id: string): IToolResult {
    const { cell, index } = this._cell(id);
    const source = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
    const lines = [`Cell #${index + 1} (${cell.cell_type}, id=${id})`];
    if (cell.cell_type === 'code' && cell.execution_count) {
      lines[0] += ` In[${cell.execution_count}]`;
    }
    lines.push('```', source, '```');
    const outputs = (cell.cell_type === 'code' ? (cell.outputs as IOutput[]) : []) ?? [];
    outputs.forEach((output, i) => {
      const summary = summariseOutput(output, 1500);
      lines.push(`Output ${i} (${summary.kind}${summary.truncated ? ', summarised: read_output for all of it' : ''}):`);
      lines.push(summary.text);
    });
    return { content: lines.join('\n') };
  }

  private _readOutput(id: string, outputIndex: number, page: number): IToolResult {
    const { cell, index } = this._cell(id);
    const outputs = (cell.cell_type === 'code' ? (cell.outputs as IOutput[]) : []) ?? [];
    const output = outputs[outputIndex];
    if (!output) {
      throw new Error(`Cell #${index + 1} has ${outputs.length} outputs; there is no output ${outputIndex}.`);
    }
    // As large a budget as a page allows many of: the summariser still strips ANSI and redacts.
    const text = summariseOutput(output, 5_000_000).text;
    const pages = Math.max(1, Math.ceil(text.length / OUTPUT_PAGE_CHARS));
    const p = Math.min(Math.max(0, Math.floor(page) || 0), pages - 1);
    // Pages start and end on the same character boundaries, so they tile the text exactly.
    const body = text.slice(
      boundaryBefore(text, p * OUTPUT_PAGE_CHARS),
      boundaryBefore(text, (p + 1) * OUTPUT_PAGE_CHARS)
    );
    return {
      content: `Output ${outputIndex} of cell #${index + 1} (id=${id}), page ${p + 1} of ${pages}:\n${body}`
    };
  }

  private async _inspect(args: Record<string, unknown>): Promise<IToolResult> {
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
    const result = await this._inputs.inspectVariable(this._inputs.kernel(), request);
    return { content: formatVariableDetail(result, 3500), isError: !result.ok };
  }
}

namespace Private {
  export function clip(text: string, max: number): string {
    return clipText(text, max);
  }

  export function renderListing(listing: any, notebookDir: string): IToolResult {
    // Paths as Claude gives them back: relative to the notebook's folder.
    const rows = (listing.entries ?? []).map(
      (e: any) => `${e.type === 'directory' ? 'dir ' : 'file'}  ${PathExt.relative(notebookDir || '/', e.path)}${e.type === 'file' ? `  (${Number(e.size ?? 0).toLocaleString()} bytes)` : ''}`
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
