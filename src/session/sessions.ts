/*
 * The sessions service: one session per open notebook, and the one of the notebook in focus,
 * with a signal for each thing the panel follows.
 */
import type { INotebookCellExecutor, INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { ServerConnection } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';
import { requestAPI } from '../api';
import type { IToolApprovals, IToolRegistry } from '../agent/tokens';
import type { IClaudeSettings } from '../claude/tokens';
import type { ContextSelection } from '../context/selection';
import type { IImageCandidate } from '../context/images';
import type { IRulesSource } from '../context/rules';
import type { IContextImage, ISentContext } from '../context/tokens';
import type { NotebookPlans } from '../agent/plan';
import type { NotebookHypotheses } from '../hypotheses/notebook';
import { KernelInspector } from '../kernel/inspector';
import type { NotebookProposals } from '../proposals/queue';
import { NotebookSession } from './session';
import type { INotebookSessions } from './tokens';

export class NotebookSessions implements INotebookSessions {
  constructor(options: NotebookSessions.IOptions) {
    this._tracker = options.tracker;
    this._options = options;
    this._tracker.currentChanged.connect(() => {
      this._currentChanged.emit(this.current);
      this._proposalsChanged.emit();
      this._hypothesesChanged.emit();
      this._plansChanged.emit();
      this._changed.emit();
    }, this);
    this._tracker.activeCellChanged.connect(() => this._changed.emit(), this);
  }

  sessionFor(panel: NotebookPanel): NotebookSession {
    let session = this._sessions.get(panel);
    if (!session) {
      const serverSettings = this._options.serverSettings;
      session = new NotebookSession({
        panel,
        settings: this._options.settings,
        inspector: this._inspector,
        previewInspector: this._previewInspector,
        tools: this._options.tools,
        toImage: this._options.toImage,
        files: (route, params) => requestAPI<any>(serverSettings, `files/${route}`, {}, params),
        rules: async notebook =>
          (await requestAPI<{ files: IRulesSource[] }>(serverSettings, 'rules', {}, { notebook })).files,
        executor: this._options.executor,
        saveText: this._options.saveText,
        approvals: this._options.approvals
      });
      const inFocus = () => this._tracker.currentWidget === panel;
      session.selection.changed.connect(() => inFocus() && this._changed.emit(), this);
      session.proposals.changed.connect(() => inFocus() && this._proposalsChanged.emit(), this);
      session.hypotheses.changed.connect(() => inFocus() && this._hypothesesChanged.emit(), this);
      session.plans.changed.connect(() => inFocus() && this._plansChanged.emit(), this);
      this._sessions.set(panel, session);
    }
    return session;
  }

  get current(): NotebookSession | null {
    const panel = this._tracker.currentWidget;
    return panel ? this.sessionFor(panel) : null;
  }

  get currentChanged(): Signal<this, NotebookSession | null> {
    return this._currentChanged;
  }

  get changed(): Signal<this, void> {
    return this._changed;
  }

  get proposalsChanged(): Signal<this, void> {
    return this._proposalsChanged;
  }

  get hypothesesChanged(): Signal<this, void> {
    return this._hypothesesChanged;
  }

  get plansChanged(): Signal<this, void> {
    return this._plansChanged;
  }

  get selection(): ContextSelection | null {
    return this.current?.selection ?? null;
  }

  async preview(): Promise<ISentContext | null> {
    return (await this.current?.preview()) ?? null;
  }

  selectedCellIds(): string[] {
    return this.current?.selectedCellIds() ?? [];
  }

  proposals(): NotebookProposals | null {
    return this.current?.proposals ?? null;
  }

  hypotheses(): NotebookHypotheses | null {
    return this.current?.hypotheses ?? null;
  }

  plans(): NotebookPlans | null {
    return this.current?.plans ?? null;
  }

  cellLabel(cellId: string): string {
    return this.current?.cellLabel(cellId) ?? `cell ${cellId}`;
  }

  private _tracker: INotebookTracker;
  private _options: NotebookSessions.IOptions;
  // Asking waits a little for a busy kernel; previewing never waits.
  private _inspector = new KernelInspector({ timeoutMs: 8000, busyWaitMs: 3000 });
  private _previewInspector = new KernelInspector({ timeoutMs: 3000, busyWaitMs: 0 });
  private _sessions = new WeakMap<NotebookPanel, NotebookSession>();
  private _currentChanged = new Signal<this, NotebookSession | null>(this);
  private _changed = new Signal<this, void>(this);
  private _proposalsChanged = new Signal<this, void>(this);
  private _hypothesesChanged = new Signal<this, void>(this);
  private _plansChanged = new Signal<this, void>(this);
}

export namespace NotebookSessions {
  export interface IOptions {
    tracker: INotebookTracker;
    settings: () => IClaudeSettings;
    serverSettings: ServerConnection.ISettings;
    /** The tool registry. */
    tools: IToolRegistry;
    toImage?: (id: string, title: string, candidate: IImageCandidate) => Promise<IContextImage | null>;
    /** JupyterLab's cell executor (absent: cells run as CodeCell.execute runs them). */
    executor?: INotebookCellExecutor | null;
    /** Save a text file under the Jupyter root (a report the scientist asked for). */
    saveText?: (path: string, text: string) => Promise<string>;
    /** Where external (MCP) calls are approved. */
    approvals?: IToolApprovals | null;
  }
}
