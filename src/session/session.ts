/*
 * The session of one open notebook: the scientist's context choices, the proposal queue, the
 * hypotheses, the plans, the tools, and where each question's context comes from.
 */
import { PathExt } from '@jupyterlab/coreutils';
import type { INotebookCellExecutor, NotebookPanel } from '@jupyterlab/notebook';
import type { IClaudeSettings } from '../claude/tokens';
import type { IImageCandidate } from '../context/images';
import { ContextSelection } from '../context/selection';
import type { IRulesSource } from '../context/rules';
import type { IContextImage, ISentContext } from '../context/tokens';
import type { IClaudeTools, IToolApprovals, IToolContext, IToolRegistry } from '../agent/tokens';
import { NotebookPlans } from '../agent/plan';
import { NotebookHypotheses } from '../hypotheses/notebook';
import type { KernelInspector } from '../kernel/inspector';
import { NotebookProposals } from '../proposals/queue';
import type { IRunOutcome } from '../proposals/tokens';
import type { INotebookContextInputs } from './gather';
import { NotebookPanelAdapter as Adapter } from './panel';
import type { INotebookSession } from './tokens';

/**
 * What Claude keeps for one open notebook. Its models live as long as the notebook's panel.
 */
export class NotebookSession implements INotebookSession {
  constructor(options: NotebookSession.IOptions) {
    const panel = (this.panel = options.panel);
    this._options = options;
    const runCell = (cellId: string) => this.runCell(cellId);
    this.proposals = new NotebookProposals({
      notebook: () => (panel.isDisposed ? null : panel.content.model),
      runCell,
      checkpoints: {
        create: () => Adapter.createCheckpoint(panel),
        restore: id => Adapter.restoreCheckpoint(panel, id)
      }
    });
    this.hypotheses = new NotebookHypotheses({
      notebook: () => (panel.isDisposed ? null : panel.content.model),
      notebookPath: () => panel.context.path,
      cellLabel: cellId => this.cellLabel(cellId),
      runCell,
      revealCell: cellId => Adapter.revealCell(panel, cellId),
      saveText: (path, text) =>
        options.saveText
          ? options.saveText(path, text)
          : Promise.reject(new Error('Saving files is not available here.'))
    });
    panel.disposed.connect(() => {
      this.proposals.cancelPending();
      this.hypotheses.cancelPending();
      this.hypotheses.dispose();
      this.plans.cancelPending();
    });
  }

  readonly panel: NotebookPanel;
  readonly selection = new ContextSelection();
  readonly proposals: NotebookProposals;
  readonly hypotheses: NotebookHypotheses;
  readonly plans = new NotebookPlans();

  /**
   * The read and write tools Claude may call about this notebook.
   */
  get tools(): IClaudeTools {
    if (!this._tools) {
      const panel = this.panel;
      this._tools = this._options.tools.toolsFor({
        notebook: () => Adapter.notebookJSON(panel),
        kernel: () => panel.sessionContext.session?.kernel,
        notebookDir: () => PathExt.dirname(panel.context.localPath),
        notebookPath: () => panel.context.localPath,
        inspectVariable: (kernel, request) => this._options.inspector.inspectVariable(kernel, request),
        proposals: this.proposals,
        hypotheses: this.hypotheses,
        plans: this.plans,
        files: (route, params) => this._options.files(route, params),
        // External (MCP) calls are offered only where something asks the scientist about them.
        ...Private.approvals(this._options.approvals, () => panel.context.localPath)
      });
    }
    return this._tools;
  }

  async gather(): Promise<ISentContext | null> {
    // A question asked while a large notebook is still loading waits for its cells.
    await Adapter.loaded(this.panel);
    return (await Private.gather())(this._inputs(this._options.inspector));
  }

  async preview(): Promise<ISentContext | null> {
    await Adapter.loaded(this.panel);
    return (await Private.gather())(this._inputs(this._options.previewInspector));
  }

  selectedCellIds(): string[] {
    return Adapter.selectedCellIds(this.panel);
  }

  cellLabel(cellId: string): string {
    return Adapter.cellLabel(this.panel, cellId);
  }

  /**
   * Run a cell in the notebook's kernel (only ever after the scientist's click).
   */
  runCell(cellId: string): Promise<IRunOutcome> {
    return Adapter.runCell(this.panel, cellId, this._options.executor);
  }

  private _inputs(inspector: KernelInspector): INotebookContextInputs {
    const panel = this.panel;
    return {
      notebook: () => Adapter.notebookJSON(panel),
      activeCellId: () => Adapter.activeCellId(panel),
      selectedCellIds: () => Adapter.selectedCellIds(panel),
      kernel: () => panel.sessionContext.session?.kernel,
      settings: this._options.settings,
      selection: this.selection,
      inspectKernel: kernel => inspector.inspect(kernel),
      toImage: this._options.toImage,
      rules: this._options.rules ? () => this._rules() : undefined
    };
  }

  /**
   * The project rules of this notebook, read again at most every few seconds (the preview asks often).
   */
  private _rules(): Promise<IRulesSource[]> {
    const now = Date.now();
    if (!this._rulesRead || now - this._rulesRead.time > 5000) {
      const read = this._options.rules!(this.panel.context.localPath);
      this._rulesRead = { time: now, read };
      read.catch(() => (this._rulesRead = null));
    }
    return this._rulesRead.read;
  }

  private _options: NotebookSession.IOptions;
  private _tools: IClaudeTools | null = null;
  private _rulesRead: { time: number; read: Promise<IRulesSource[]> } | null = null;
}

export namespace NotebookSession {
  export interface IOptions {
    panel: NotebookPanel;
    settings: () => IClaudeSettings;
    /** The inspector questions use (waits a little for a busy kernel). */
    inspector: KernelInspector;
    /** The inspector the preview uses (never waits). */
    previewInspector: KernelInspector;
    /** The tool registry: this notebook's tools are the ones its context allows. */
    tools: IToolRegistry;
    toImage?: (id: string, title: string, candidate: IImageCandidate) => Promise<IContextImage | null>;
    /** GET a `claude/files/...` route of the Jupyter server. */
    files: (route: 'list' | 'head', params: Record<string, string>) => Promise<any>;
    /** JupyterLab's cell executor (absent: cells run as CodeCell.execute runs them). */
    executor?: INotebookCellExecutor | null;
    /** Save a text file under the Jupyter root (a report the scientist asked for). */
    saveText?: (path: string, text: string) => Promise<string>;
    /** Where external (MCP) calls are approved (none: external tools are not offered). */
    approvals?: IToolApprovals | null;
    /** Read the project rules files for a notebook path (none: no rules). */
    rules?: (notebookPath: string) => Promise<IRulesSource[]>;
  }
}

namespace Private {
  let gathering: Promise<typeof import('./gather').gatherContext> | null = null;

  /**
   * Gathering a question's context (the budget, the renderer, the kernel summaries) loads with
   * the first question or preview, not at start-up.
   */
  export function gather(): Promise<typeof import('./gather').gatherContext> {
    if (!gathering) {
      gathering = import(/* webpackChunkName: "context" */ './gather').then(module => module.gatherContext);
      gathering.catch(() => {
        gathering = null;
      });
    }
    return gathering;
  }

  export function approvals(
    approvals: IToolApprovals | null | undefined,
    path: () => string
  ): Pick<IToolContext, 'approve' | 'cancelApprovals'> {
    if (!approvals) {
      return {};
    }
    const { approve, cancelPending } = approvals.approvalFor(path);
    return { approve, cancelApprovals: cancelPending };
  }
}
