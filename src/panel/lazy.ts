/*
 * A widget whose content loads when it is first attached: views and card areas added to the
 * Claude panel at start-up cost nothing until the panel (and the view) is shown.
 */
import { type Message, MessageLoop } from '@lumino/messaging';
import { Panel, Widget } from '@lumino/widgets';

export class LazyWidget<T extends Widget = Widget> extends Panel {
  /**
   * @param load builds the content (a dynamic import of its module)
   */
  constructor(private readonly _load: () => Promise<T>) {
    super();
    this.addClass('jp-Claude-lazy');
  }

  /**
   * The content, loading it if need be.
   */
  content(): Promise<T> {
    if (!this._content) {
      this._content = this._load().then(widget => {
        this.addWidget(widget);
        if (this.isVisible) {
          // Shown before its code arrived: adding it sends no after-show, and a view that
          // renders and starts polling on show (the Tools view) would stay empty.
          MessageLoop.sendMessage(widget, Widget.Msg.AfterShow);
        }
        return widget;
      });
      // Failing to load leaves room to try again on the next attach.
      this._content.catch(() => (this._content = null));
    }
    return this._content;
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    void this.content().catch(() => undefined);
  }

  private _content: Promise<T> | null = null;
}
