/*
 * Public interfaces of the panel: the views other capabilities add to it (the MCP Tools view,
 * the Skills view), each behind a header button, and the areas they add beside the chat.
 * No logic lives here.
 */
import { Token } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import type { Widget } from '@lumino/widgets';

/**
 * A view of the panel: shown instead of the chat while its header button is pressed.
 */
export interface IPanelView {
  /** Unique among the views; the button's `data-view`. */
  id: string;
  /** The button's label, translated. */
  label: string;
  /** The button's tooltip, translated. */
  caption?: string;
  /** Lower first in the header (default 100). */
  rank?: number;
  widget: Widget;
}

/**
 * The views and areas capabilities add to the Claude panel.
 */
export interface IClaudePanelViews {
  /** Add a view with its header button; dispose to remove both. */
  add(view: IPanelView): IDisposable;
  /** Add a widget shown under the chat, with the proposals (cards); dispose to remove it. */
  addArea(widget: Widget): IDisposable;
  /** Show a view (or the chat, with null). */
  show(id: string | null): void;
  /** The view shown, or null for the chat. */
  readonly shown: string | null;
}

export const IClaudePanelViews = new Token<IClaudePanelViews>(
  'jupyterlab-claude:panel-views',
  'The views (Tools, Skills) and card areas other capabilities add to the Claude panel.'
);
