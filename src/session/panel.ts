/*
 * The notebook-panel adapter: what the session needs from a notebook's widgets (its cells as
 * JSON, the active and selected cells, scrolling, running a cell), in one place.
 */
import { CodeCell, type ICodeCellModel, type MarkdownCell } from '@jupyterlab/cells';
import type { INotebookContent } from '@jupyterlab/nbformat';
import { KernelError, type INotebookCellExecutor, type NotebookPanel } from '@jupyterlab/notebook';
import type { IRunOutcome } from '../proposals/tokens';

/**
 * Reading and driving a notebook through its panel.
 */
export namespace NotebookPanelAdapter {
  /**
   * The notebook as nbformat JSON, or null once it is closed.
   */
  export function notebookJSON(panel: NotebookPanel): INotebookContent | null {
    return panel.isDisposed || !panel.content.model ? null : (panel.content.model.toJSON() as INotebookContent);
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

  /**
   * Save the notebook and checkpoint its file (what File › Save and Create Checkpoint does).
   */
  export async function createCheckpoint(panel: NotebookPanel): Promise<{ id: string; takenAt: string }> {
    if (panel.isDisposed) {
      throw new Error('the notebook is closed');
    }
    await panel.context.save();
    const checkpoint = await panel.context.createCheckpoint();
    return { id: checkpoint.id, takenAt: checkpoint.last_modified };
  }

  /**
   * Put the notebook's file back as it was at a checkpoint and reload the notebook from it.
   */
  export async function restoreCheckpoint(panel: NotebookPanel, id: string): Promise<void> {
    if (panel.isDisposed) {
      throw new Error('the notebook is closed');
    }
    await panel.context.restoreCheckpoint(id);
    await panel.context.revert();
  }

  /**
   * How the notebook names a cell ("cell #3").
   */
  export function cellLabel(panel: NotebookPanel, cellId: string): string {
    const index = panel.content.widgets.findIndex(cell => cell.model.id === cellId);
    return index >= 0 ? `cell #${index + 1}` : `cell ${cellId}`;
  }

  /**
   * Make a cell the active one and scroll to it.
   */
  export function revealCell(panel: NotebookPanel, cellId: string): void {
    const index = panel.content.widgets.findIndex(cell => cell.model.id === cellId);
    if (index >= 0) {
      panel.content.activeCellIndex = index;
      void panel.content.scrollToItem(index);
    }
  }

  export function activeCellId(panel: NotebookPanel): string | null {
    return panel.content.activeCell?.model.id ?? null;
  }

  export function selectedCellIds(panel: NotebookPanel): string[] {
    return panel.content.widgets.filter(cell => panel.content.isSelected(cell)).map(cell => cell.model.id);
  }

  /**
   * Run one cell in the notebook's kernel, as JupyterLab's Run does (through its cell
   * executor when there is one); called only after the scientist approved it. A cell that
   * ends in an error has run: its traceback is in its outputs.
   */
  export async function runCell(
    panel: NotebookPanel,
    cellId: string,
    executor?: INotebookCellExecutor | null
  ): Promise<IRunOutcome> {
    const cell = panel.content.widgets.find(widget => widget.model.id === cellId);
    if (!cell) {
      return { ok: false, outputs: [], executionCount: null, message: 'The cell is no longer in the notebook.' };
    }
    if (cell.model.type !== 'code' && cell.model.type !== 'markdown') {
      return { ok: false, outputs: [], executionCount: null, message: 'Only code cells run.' };
    }
    // Checked here so that no kernel is started (or picked in a dialog) on Claude's behalf.
    if (cell.model.type === 'code' && !panel.sessionContext.session?.kernel) {
      return { ok: false, outputs: [], executionCount: null, message: 'No kernel is running for this notebook.' };
    }
    try {
      if (executor && panel.content.model) {
        await executor.runCell({
          cell,
          notebook: panel.content.model,
          notebookConfig: panel.content.notebookConfig,
          onCellExecuted: () => undefined,
          onCellExecutionScheduled: () => undefined,
          sessionContext: panel.sessionContext
        });
      } else if (cell.model.type === 'markdown') {
        (cell as MarkdownCell).rendered = true;
      } else {
        await CodeCell.execute(cell as CodeCell, panel.sessionContext);
      }
    } catch (error) {
      // An error reply means the cell ran and failed: its traceback is in its outputs.
      if (!(error instanceof KernelError || (error as { errorName?: unknown })?.errorName !== undefined)) {
        return { ok: false, outputs: [], executionCount: null, message: String(error) };
      }
    }
    if (cell.model.type === 'markdown') {
      return { ok: true, outputs: [], executionCount: null };
    }
    const model = cell.model as ICodeCellModel;
    return { ok: true, outputs: model.outputs.toJSON(), executionCount: model.executionCount };
  }
}
