/*
 * The sessions service as start-up provides it: the sessions themselves (proposal queues,
 * hypotheses, plans, kernel inspectors) load with the panel or the first question, not with JupyterLab.
 */
import type { NotebookPanel } from '@jupyterlab/notebook';
import { Signal } from '@lumino/signaling';
import type { INotebookPlans } from '../agent/tokens';
import type { IContextSelection, ISentContext } from '../context/tokens';
import type { INotebookHypotheses } from '../hypotheses/tokens';
import type { IProposalQueue } from '../proposals/tokens';
import type { NotebookSessions } from './sessions';
import type { INotebookSession, INotebookSessions } from './tokens';

/**
 * Stands for `NotebookSessions` until its code is loaded, then passes everything on. Before
 * `load()` no session exists: nothing has proposed, hypothesised or chosen anything yet.
 */
export class LazySessions implements INotebookSessions {
  constructor(private readonly _options: NotebookSessions.IOptions) {}

  /**
   * The sessions, loading their code on the first call.
   */
  load(): Promise<INotebookSessions> {
    if (!this._loading) {
      this._loading = import(/* webpackChunkName: "claude-sessions" */ './sessions').then(module => {
        const sessions = new module.NotebookSessions(this._options);
        sessions.currentChanged.connect((_, session) => this._currentChanged.emit(session));
        sessions.changed.connect(() => this._changed.emit());
        sessions.proposalsChanged.connect(() => this._proposalsChanged.emit());
        sessions.hypothesesChanged.connect(() => this._hypothesesChanged.emit());
        sessions.plansChanged.connect(() => this._plansChanged.emit());
        this._sessions = sessions;
        // What `current` answers changed from null to the notebook in focus.
        this._currentChanged.emit(sessions.current);
        this._changed.emit();
        this._proposalsChanged.emit();
        this._hypothesesChanged.emit();
        this._plansChanged.emit();
        return sessions;
      });
      this._loading.catch(() => (this._loading = null));
    }
    return this._loading;
  }

  /**
   * The sessions once their code is loaded.
   */
  get loaded(): INotebookSessions | null {
    return this._sessions;
  }

  sessionFor(panel: NotebookPanel): INotebookSession {
    if (!this._sessions) {
      void this.load();
      throw new Error(
        'jupyterlab-claude: the notebook sessions are loading; await LazySessions.whenLoaded(sessions) first.'
      );
    }
    return this._sessions.sessionFor(panel);
  }

  get current(): INotebookSession | null {
    return this._sessions?.current ?? null;
  }

  get currentChanged(): Signal<this, INotebookSession | null> {
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

  get selection(): IContextSelection | null {
    return this._sessions?.selection ?? null;
  }

  async preview(): Promise<ISentContext | null> {
    return (await this.load()).preview();
  }

  selectedCellIds(): string[] {
    return this._sessions?.selectedCellIds() ?? [];
  }

  proposals(): IProposalQueue | null {
    return this._sessions?.proposals() ?? null;
  }

  hypotheses(): INotebookHypotheses | null {
    return this._sessions?.hypotheses() ?? null;
  }

  plans(): INotebookPlans | null {
    return this._sessions?.plans() ?? null;
  }

  cellLabel(cellId: string): string {
    return this._sessions?.cellLabel(cellId) ?? `cell ${cellId}`;
  }

  private _loading: Promise<INotebookSessions> | null = null;
  private _sessions: INotebookSessions | null = null;
  private _currentChanged = new Signal<this, INotebookSession | null>(this);
  private _changed = new Signal<this, void>(this);
  private _proposalsChanged = new Signal<this, void>(this);
  private _hypothesesChanged = new Signal<this, void>(this);
  private _plansChanged = new Signal<this, void>(this);
}

export namespace LazySessions {
  /**
   * The sessions if they can answer now (any other `INotebookSessions`, or loaded ones), else null.
   */
  export function loaded(sessions: INotebookSessions): INotebookSessions | null {
    return sessions instanceof LazySessions ? sessions.loaded : sessions;
  }

  /**
   * The sessions with their code loaded (any other `INotebookSessions` as it is).
   */
  export async function whenLoaded<T extends INotebookSessions | null>(sessions: T): Promise<T> {
    if (sessions instanceof LazySessions) {
      await sessions.load();
    }
    return sessions;
  }
}
