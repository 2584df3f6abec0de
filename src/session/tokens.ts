/*
 * Public interfaces of what Claude keeps for each open notebook, and the Lumino token of
 * the sessions service. No logic lives here.
 */
import type { NotebookPanel } from '@jupyterlab/notebook';
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import type { IClaudeTools, INotebookPlans } from '../agent/tokens';
import type { IContextSelection, ISentContext } from '../context/tokens';
import type { INotebookHypotheses } from '../hypotheses/tokens';
import type { IProposalQueue } from '../proposals/tokens';

/**
 * What Claude keeps for one open notebook.
 */
export interface INotebookSession {
  /** The scientist's choices about what the questions carry. */
  readonly selection: IContextSelection;
  /** The changes Claude proposed, waiting for the scientist. */
  readonly proposals: IProposalQueue;
  /** The hypotheses Claude proposed and the notebook's ledger. */
  readonly hypotheses: INotebookHypotheses;
  /** The plans Claude proposed for multi-step requests, and their progress. */
  readonly plans: INotebookPlans;
  /** The tools Claude may call about this notebook. */
  readonly tools: IClaudeTools;
  /** The context a question asked now carries (waits a little for a busy kernel). */
  gather(): Promise<ISentContext | null>;
  /** The context the next question would carry (does not wait for a busy kernel). */
  preview(): Promise<ISentContext | null>;
  /** The ids of the cells selected in the notebook. */
  selectedCellIds(): string[];
  /** How the notebook names a cell ("cell #3"). */
  cellLabel(cellId: string): string;
}

/**
 * The sessions of the open notebooks, and the one of the notebook in focus. The members
 * below `current` speak of the notebook in focus, as the panel shows it.
 */
export interface INotebookSessions {
  /** The session of a notebook, created on first use. */
  sessionFor(panel: NotebookPanel): INotebookSession;
  /** The session of the notebook in focus, or null without a notebook. */
  readonly current: INotebookSession | null;
  /** Emitted when the notebook in focus changes. */
  readonly currentChanged: ISignal<INotebookSessions, INotebookSession | null>;
  /** Emitted when the notebook in focus, its active cell or the scientist's choices change. */
  readonly changed: ISignal<INotebookSessions, void>;
  /** Emitted when the notebook in focus changes or its proposals do. */
  readonly proposalsChanged: ISignal<INotebookSessions, void>;
  /** Emitted when the notebook in focus changes or its hypotheses do. */
  readonly hypothesesChanged: ISignal<INotebookSessions, void>;
  /** Emitted when the notebook in focus changes or its plans do. */
  readonly plansChanged: ISignal<INotebookSessions, void>;
  /** The scientist's choices for the notebook in focus, or null without a notebook. */
  readonly selection: IContextSelection | null;
  /** The context the next question would carry (does not wait for a busy kernel). */
  preview(): Promise<ISentContext | null>;
  /** The ids of the cells selected in the notebook in focus. */
  selectedCellIds(): string[];
  /** The proposals of the notebook in focus. */
  proposals(): IProposalQueue | null;
  /** The hypotheses of the notebook in focus. */
  hypotheses(): INotebookHypotheses | null;
  /** The plans of the notebook in focus. */
  plans(): INotebookPlans | null;
  /** How the notebook in focus names a cell ("cell #3"). */
  cellLabel(cellId: string): string;
}

/**
 * The sessions token.
 */
export const INotebookSessions = new Token<INotebookSessions>(
  'jupyterlab-claude:INotebookSessions',
  'What Claude keeps for each open notebook: context choices, proposals, hypotheses, tools.'
);
