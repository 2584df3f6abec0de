/*
 * The id Claude and the tools use for a cell, on its own: the tool registry needs it at
 * start-up, without the rest of the notebook outline.
 */
import type { ICell } from '@jupyterlab/nbformat';

/**
 * The id Claude and the tools use for a cell.
 */
export function cellIdOf(cell: ICell, index: number): string {
  return typeof cell.id === 'string' && cell.id ? cell.id : `cell-${index}`;
}
