/*
 * The notebook context service: per notebook, the scientist's choices and where each
 * question's context comes from; for the notebook in focus, a preview for the panel.
 */
import type { INotebookContent } from '@jupyterlab/nbformat';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { PathExt, URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';
import type { IImageCandidate } from '../context/images';
import { KernelInspector } from '../kernel/inspector';
import type { IClaudeSettings, IContextImage, INotebookContextService, ISentContext } from '../tokens';
import { ContextSelection, gatherContext, type INotebookContextInputs } from './context';
import { NotebookHypotheses } from './hypotheses';
import { NotebookProposals, type IRunOutcome } from './proposals';
import { NotebookTools } from './tools';

export class NotebookContextService implements INotebookContextService {
  constructor(options: NotebookContextService.IOptions) {
    this._tracker = options.tracker;
    this._settings = options.settings;
    this._toImage = options.toImage;
    this._serverSettings = options.serverSettings;
    this._runCell = options.runCell;
    this._saveText = options.saveText;
    this._tracker.currentChanged.connect(() => this._proposalsChanged.emit(), this);
    this._tracker.currentChanged.connect(() => this._changed.emit(), this);
    this._tracker.activeCellChanged.connect(() => this._changed.emit(), this);
  }

  get selection(): ContextSelection | null {
    const panel = this._tracker.currentWidget;
    return panel ? this._selectionOf(panel) : null;
  }

  get changed(): Signal<this, void> {
    return this._changed;
  }

  async preview(): Promise<ISentContext | null> {
    const panel = this._tracker.currentWidget;
    if (!panel) {
      return null;
    }
    await Private.loaded(panel);
    return gatherContext(this._inputs(panel, this._previewInspector));
  }

  proposals(): NotebookProposals | null {
    const panel = this._tracker.currentWidget;
    return panel ? this._proposalsOf(panel) : null;
  }

  hypotheses(): NotebookHypotheses | null {
    const panel = this._tracker.currentWidget;
    return panel ? this._hypothesesOf(panel) : null;
  }

  cellLabel(cellId: string): string {
    const cells = this._tracker.currentWidget?.content.widgets ?? [];
    const index = cells.findIndex(cell => cell.model.id === cellId);
    return index >= 0 ? `cell #${index + 1}` : `cell ${cellId}`;
  }

  selectedCellIds(): string[] {
    const panel = this._tracker.currentWidget;
    return panel ? Private.selectedCellIds(panel) : [];
  }

  /**
   * Where the questions of a notebook get their context from.
   */
  sourceFor(panel: NotebookPanel): () => Promise<ISentContext | null> {
    return async () => {
      // A question asked while a large notebook is still loading waits for its cells.
      await Private.loaded(panel);
      return gatherContext(this._inputs(panel, this._inspector));
    };
  }

  /**
   * The read tools Claude may call about a notebook.
   */
  toolsFor(panel: NotebookPanel): NotebookTools {
    return new NotebookTools({
      notebook: () =>
        panel.isDisposed || !panel.content.model ? null : (panel.content.model.toJSON() as INotebookContent),
      kernel: () => panel.sessionContext.session?.kernel,
      notebookDir: () => PathExt.dirname(panel.context.localPath),
      inspectVariable: (kernel, request) => this._inspector.inspectVariable(kernel, request),
      proposals: this._proposalsOf(panel),
      hypotheses: this._hypothesesOf(panel),
      files: (route, params) => Private.getJSON(this._serverSettings, `claude/files/${route}`, params)
    });
  }

  private _proposalsOf(panel: NotebookPanel): NotebookProposals {
    let proposals = this._proposals.get(panel);
    if (!proposals) {
      proposals = new NotebookProposals({
        notebook: () => (panel.isDisposed ? null : panel.content.model),
        runCell: cellId => (this._runCell ? this._runCell(panel, cellId) : Promise.resolve(Private.cannotRun))
      });
      proposals.changed.connect(() => {
        if (this._tracker.currentWidget === panel) {
          this._proposalsChanged.emit();
        }
      }, this);
      panel.disposed.connect(() => proposals!.cancelPending());
      this._proposals.set(panel, proposals);
    }
    return proposals;
  }

  private _hypothesesOf(panel: NotebookPanel): NotebookHypotheses {
    let hypotheses = this._hypotheses.get(panel);
    if (!hypotheses) {
      const cellLabel = (cellId: string) => {
        const index = panel.content.widgets.findIndex(cell => cell.model.id === cellId);
        return index >= 0 ? `cell #${index + 1}` : `cell ${cellId}`;
      };
      hypotheses = new NotebookHypotheses({
        notebook: () => (panel.isDisposed ? null : panel.content.model),
        notebookPath: () => panel.context.path,
        cellLabel,
        runCell: cellId => (this._runCell ? this._runCell(panel, cellId) : Promise.resolve(Private.cannotRun)),
        revealCell: cellId => Private.revealCell(panel, cellId),
        saveText: (path, text) =>
          this._saveText ? this._saveText(path, text) : Promise.reject(new Error('Saving files is not available here.'))
      });
      hypotheses.changed.connect(() => {
        if (this._tracker.currentWidget === panel) {
          this._proposalsChanged.emit();
        }
      }, this);
      panel.disposed.connect(() => {
        hypotheses!.cancelPending();
        hypotheses!.dispose();
      });
      this._hypotheses.set(panel, hypotheses);
    }
    return hypotheses;
  }

  /**
   * Emitted when the proposals or hypotheses of the notebook in focus change.
   */
  get proposalsChanged(): Signal<this, void> {
    return this._proposalsChanged;
  }

  private _selectionOf(panel: NotebookPanel): ContextSelection {
    let selection = this._selections.get(panel);
    if (!selection) {
      selection = new ContextSelection();
      selection.changed.connect(() => this._changed.emit(), this);
      this._selections.set(panel, selection);
    }
    return selection;
  }

  private _inputs(panel: NotebookPanel, inspector: KernelInspector): INotebookContextInputs {
    return {
      notebook: () =>
        panel.isDisposed || !panel.content.model ? null : (panel.content.model.toJSON() as INotebookContent),
      activeCellId: () => panel.content.activeCell?.model.id ?? null,
      selectedCellIds: () => Private.selectedCellIds(panel),
      kernel: () => panel.sessionContext.session?.kernel,
      settings: this._settings,
      selection: this._selectionOf(panel),
      inspectKernel: kernel => inspector.inspect(kernel),
      toImage: this._toImage
    };
  }

  private _tracker: INotebookTracker;
  private _serverSettings: ServerConnection.ISettings;
  private _settings: () => IClaudeSettings;
  private _toImage?: NotebookContextService.IOptions['toImage'];
  // Asking waits a little for a busy kernel; previewing never waits.
  private _inspector = new KernelInspector({ timeoutMs: 8000, busyWaitMs: 3000 });
  private _previewInspector = new KernelInspector({ timeoutMs: 3000, busyWaitMs: 0 });
  private _selections = new WeakMap<NotebookPanel, ContextSelection>();
  private _proposals = new WeakMap<NotebookPanel, NotebookProposals>();
  private _hypotheses = new WeakMap<NotebookPanel, NotebookHypotheses>();
  private _saveText?: NotebookContextService.IOptions['saveText'];
  private _proposalsChanged = new Signal<this, void>(this);
  private _runCell?: NotebookContextService.IOptions['runCell'];
  private _changed = new Signal<this, void>(this);
}

export namespace NotebookContextService {
  export interface IOptions {
    tracker: INotebookTracker;
    settings: () => IClaudeSettings;
    serverSettings: ServerConnection.ISettings;
    toImage?: (id: string, title: string, candidate: IImageCandidate) => Promise<IContextImage | null>;
    /** Run a cell of a notebook in its kernel (called only after the scientist approves). */
    runCell?: (panel: NotebookPanel, cellId: string) => Promise<IRunOutcome>;
    /** Save a text file under the Jupyter root (a report the scientist asked for). */
    saveText?: (path: string, text: string) => Promise<string>;
  }
}

namespace Private {
  export const cannotRun: IRunOutcome = {
    ok: false,
    outputs: [],
    executionCount: null,
    message: 'Running cells is not available here.'
  };

  /**
   * GET a route of the Jupyter server, with its auth; its error message becomes the error.
   */
  export async function getJSON(
    settings: ServerConnection.ISettings,
    route: string,
    params: Record<string, string>
  ): Promise<any> {
    const query = URLExt.objectToQueryString(params);
    const response = await ServerConnection.makeRequest(URLExt.join(settings.baseUrl, route) + query, {}, settings);
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(body?.error?.message ?? body?.message ?? `The Jupyter server answered ${response.status}.`);
    }
    return body;
  }

  /**
   * Wait until the notebook's content is loaded (bounded: a notebook that never loads is
   * described as it is).
   */
  export async function loaded(panel: NotebookPanel, ms = 30000): Promise<void> {
    if (panel.context.isReady) {
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      panel.context.ready.catch(() => undefined),
      new Promise<void>(resolve => (timer = setTimeout(resolve, ms)))
    ]);
    clearTimeout(timer);
  }

  export function revealCell(panel: NotebookPanel, cellId: string): void {
    const index = panel.content.widgets.findIndex(cell => cell.model.id === cellId);
    if (index >= 0) {
      panel.content.activeCellIndex = index;
      void panel.content.scrollToItem(index);
    }
  }

  export function selectedCellIds(panel: NotebookPanel): string[] {
    return panel.content.widgets.filter(cell => panel.content.isSelected(cell)).map(cell => cell.model.id);
  }
}
