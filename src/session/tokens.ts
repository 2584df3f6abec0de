/*
 * Public interfaces of what Claude keeps for each open notebook.
 * No logic lives here.
 */
import type { ISignal } from '@lumino/signaling';
import type { IContextSelection, ISentContext } from '../context/tokens';
import type { IProposalQueue } from '../proposals/tokens';
import type { INotebookHypotheses } from '../hypotheses/tokens';

/**
 * The notebook context of the notebook in focus: what the next question would carry.
 */
export interface INotebookContextService {
  /** The scientist's choices for the notebook in focus, or null without a notebook. */
  readonly selection: IContextSelection | null;
  /** Emitted when the notebook in focus, its active cell or the choices change. */
  readonly changed: ISignal<INotebookContextService, void>;
  /** The context the next question would carry (does not wait for a busy kernel). */
  preview(): Promise<ISentContext | null>;
  /** The ids of the cells selected in the notebook in focus. */
  selectedCellIds(): string[];
  /** The proposals of the notebook in focus. */
  proposals(): IProposalQueue | null;
  /** How the notebook in focus names a cell ("cell #3"). */
  cellLabel(cellId: string): string;
  /** Emitted when the notebook in focus changes or its proposals or hypotheses do. */
  readonly proposalsChanged: ISignal<INotebookContextService, void>;
  /** The hypotheses of the notebook in focus. */
  hypotheses(): INotebookHypotheses | null;
}
