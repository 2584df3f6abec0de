/*
 * The Claude panel's place in the sidebar, present from start-up, and the chat inside it,
 * loaded when the panel is first shown (or a command needs it).
 *
 * Everything the chat needs to render (Markdown, cards, the ledger, the views other
 * capabilities add) lives in a chunk of its own; JupyterLab's start-up loads only this file.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { DisposableDelegate, type IDisposable } from '@lumino/disposable';
import { type Message, MessageLoop } from '@lumino/messaging';
import { PanelLayout, Widget } from '@lumino/widgets';
import { claudeIcon } from './icon';
import type { IClaudePanelViews, IPanelView } from './tokens';
import type { ClaudePanel } from './widget';

/**
 * The sidebar widget: the tab, and the chat once loaded.
 */
export class ClaudeSidebar extends Widget {
  constructor(options: ClaudeSidebar.IOptions) {
    super();
    this._create = options.create;
    this._trans = options.trans;
    this.id = 'jp-claude-panel';
    this.addClass('jp-Claude-sidebar');
    this.title.icon = claudeIcon;
    this.title.caption = this._trans.__('Claude');
    this.layout = new PanelLayout();
    this.views = new Private.DeferredViews(() => this.content());
  }

  /**
   * Where other capabilities add their views; what is added before the chat loads is
   * handed to it when it does.
   */
  readonly views: IClaudePanelViews;

  /**
   * The chat (loading it the first time).
   */
  content(): Promise<ClaudePanel> {
    if (!this._content) {
      this.node.setAttribute('aria-busy', 'true');
      this._content = this._create().then(
        panel => {
          this.node.removeAttribute('aria-busy');
          if (this.isDisposed) {
            panel.dispose();
            return panel;
          }
          (this.layout as PanelLayout).addWidget(panel);
          if (this.isVisible) {
            // Built inside a shown sidebar: the chat and its parts (context chips, model list)
            // hear 'after-show' as they would had they been there when it was shown.
            MessageLoop.sendMessage(panel, Widget.Msg.AfterShow);
          }
          this._loaded = panel;
          (this.views as Private.DeferredViews).attach(panel.views);
          return panel;
        },
        error => {
          // A page that lost its server: say so here and try again on the next show.
          this.node.removeAttribute('aria-busy');
          this._content = null;
          this.node.textContent = this._trans.__('The Claude panel could not load: %1', String(error));
          throw error;
        }
      );
    }
    return this._content;
  }

  /**
   * Focus the message box (loading the chat first if need be).
   */
  focusInput(): void {
    void this.content().then(panel => panel.focusInput());
  }

  /**
   * Show the hypothesis ledger instead of the chat (or the chat again).
   */
  showLedger(show: boolean): void {
    void this.content().then(panel => panel.showLedger(show));
  }

  protected onBeforeShow(msg: Message): void {
    super.onBeforeShow(msg);
    void this.content().catch(() => undefined);
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    if (this._loaded) {
      this._loaded.activate();
    } else {
      this.focusInput();
    }
  }

  private _create: () => Promise<ClaudePanel>;
  private _trans: TranslationBundle;
  private _content: Promise<ClaudePanel> | null = null;
  private _loaded: ClaudePanel | null = null;
}

export namespace ClaudeSidebar {
  /**
   * What commands use of the chat's draft.
   */
  export type IInput = Pick<ClaudePanel['input'], 'value' | 'send' | 'attach'>;

  export interface IOptions {
    /** Load and build the chat (a dynamic import of `./widget`). */
    create: () => Promise<ClaudePanel>;
    trans: TranslationBundle;
  }
}

namespace Private {
  /**
   * The panel's views before the chat exists: each call is kept and replayed on the chat's
   * own views when it loads; after that, calls go straight through.
   */
  export class DeferredViews implements IClaudePanelViews {
    constructor(private readonly _load: () => Promise<unknown>) {}

    get shown(): string | null {
      return this._target ? this._target.shown : this._shown;
    }

    add(view: IPanelView): IDisposable {
      if (this._target) {
        return this._target.add(view);
      }
      const pending = { view, added: null as IDisposable | null };
      this._views.push(pending);
      return new DisposableDelegate(() => {
        this._views = this._views.filter(p => p !== pending);
        pending.added?.dispose();
      });
    }

    addArea(widget: Widget): IDisposable {
      if (this._target) {
        return this._target.addArea(widget);
      }
      const pending = { widget, added: null as IDisposable | null };
      this._areas.push(pending);
      return new DisposableDelegate(() => {
        this._areas = this._areas.filter(p => p !== pending);
        pending.added?.dispose();
        widget.parent = null;
      });
    }

    show(id: string | null): void {
      if (this._target) {
        this._target.show(id);
        return;
      }
      this._shown = id;
      void this._load().catch(() => undefined);
    }

    /**
     * Hand everything kept to the loaded chat's views.
     */
    attach(target: IClaudePanelViews): void {
      this._target = target;
      for (const pending of this._areas) {
        pending.added = target.addArea(pending.widget);
      }
      for (const pending of this._views) {
        pending.added = target.add(pending.view);
      }
      if (this._shown !== null) {
        target.show(this._shown);
      }
    }

    private _target: IClaudePanelViews | null = null;
    private _shown: string | null = null;
    private _views: Array<{ view: IPanelView; added: IDisposable | null }> = [];
    private _areas: Array<{ widget: Widget; added: IDisposable | null }> = [];
  }
}
