/*
 * The panel's added views: one header button each (a toggle, `aria-pressed`), one view shown
 * at a time instead of the chat; and the areas of cards added under the chat.
 */
import type { IDisposable } from '@lumino/disposable';
import { DisposableDelegate } from '@lumino/disposable';
import type { Panel, Widget } from '@lumino/widgets';
import type { IClaudePanelViews, IPanelView } from './tokens';

/**
 * The views of one panel.
 */
export class PanelViews implements IClaudePanelViews {
  /**
   * @param panel the Claude panel (views and areas become its children)
   * @param buttons where the header's view buttons go
   * @param before the child areas are inserted before (the message box)
   * @param onShow told when a view is shown or hidden (the panel hides the ledger)
   */
  constructor(
    private readonly _panel: Panel,
    readonly buttons: HTMLElement,
    private readonly _before: () => number,
    private readonly _onShow?: (id: string | null) => void
  ) {
    buttons.className = 'jp-Claude-viewButtons';
  }

  get shown(): string | null {
    return this._shown;
  }

  add(view: IPanelView): IDisposable {
    if (this._views.has(view.id)) {
      throw new Error(`A panel view "${view.id}" is already added.`);
    }
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'jp-Claude-viewToggle jp-mod-styled';
    button.dataset.view = view.id;
    button.textContent = view.label;
    button.title = view.caption ?? view.label;
    button.setAttribute('aria-pressed', 'false');
    button.addEventListener('click', () => this.show(this._shown === view.id ? null : view.id));
    const entry = { view, button, rank: view.rank ?? 100 };
    this._views.set(view.id, entry);
    const after = [...this._views.values()].filter(e => e !== entry && e.rank > entry.rank)[0];
    this.buttons.insertBefore(button, after?.button ?? null);
    view.widget.addClass('jp-Claude-view');
    view.widget.hide();
    this._panel.addWidget(view.widget);
    return new DisposableDelegate(() => {
      if (this._shown === view.id) {
        this.show(null);
      }
      this._views.delete(view.id);
      button.remove();
      view.widget.parent = null;
    });
  }

  addArea(widget: Widget): IDisposable {
    this._panel.insertWidget(this._before(), widget);
    return new DisposableDelegate(() => (widget.parent = null));
  }

  show(id: string | null): void {
    const target = id !== null && this._views.has(id) ? id : null;
    this._shown = target;
    for (const [key, { view, button }] of this._views) {
      button.setAttribute('aria-pressed', String(key === target));
      if (key === target) {
        view.widget.show();
      } else {
        view.widget.hide();
      }
    }
    this._panel.node.classList.toggle('jp-mod-view', target !== null);
    this._onShow?.(target);
  }

  private _shown: string | null = null;
  private _views = new Map<string, { view: IPanelView; button: HTMLButtonElement; rank: number }>();
}
