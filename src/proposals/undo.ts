/*
 * The one way to change a notebook on Claude's behalf: one notebook transaction, which
 * JupyterLab's undo takes back in one step. Every writer (proposals, hypotheses, reports)
 * goes through it.
 */
import type { INotebookModel } from '@jupyterlab/notebook';

/**
 * A notebook's shared model, as the notebook package exposes it.
 */
export type ISharedNotebook = INotebookModel['sharedModel'];

/**
 * Run `change` in one notebook transaction that JupyterLab's undo takes back in one step,
 * and return what it returns.
 */
export function asOneUndoStep<T>(shared: ISharedNotebook, change: () => T): T {
  // Without this, Yjs merges changes made within half a second into one undo step.
  const undoManager = (shared as { undoManager?: { stopCapturing(): void } }).undoManager;
  let result: T | undefined;
  undoManager?.stopCapturing();
  shared.transact(() => {
    result = change();
  });
  undoManager?.stopCapturing();
  return result as T;
}
