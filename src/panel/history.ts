/*
 * The saved chats of the notebook in focus: open one, delete one (after confirming).
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { deleteIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import type { IConversationHistory, IConversationSummary } from '../claude/tokens';

/**
 * A list of saved chats, shown below the panel's header when History is pressed.
 */
export class HistoryList extends Widget {
  constructor(options: HistoryList.IOptions) {
    super();
    this._history = options.history;
    this._trans = options.trans;
    this._currentId = options.currentId;
    this.addClass('jp-Claude-history');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', this._trans.__('Saved chats'));
    this.hide();
  }

  /**
   * Show or hide the list (it is fetched again each time it opens).
   */
  toggle(): void {
    if (this.isHidden) {
      this.show();
      void this.refresh();
    } else {
      this.hide();
    }
  }

  async refresh(): Promise<void> {
    const node = this.node;
    node.textContent = '';
    let items: IConversationSummary[];
    try {
      items = await this._history.list();
    } catch (error) {
      node.append(this._note(this._trans.__('Saved chats could not be listed: %1', Private.message(error))));
      return;
    }
    node.textContent = '';
    const heading = document.createElement('div');
    heading.className = 'jp-Claude-historyHeading';
    heading.textContent = this._trans.__('Saved chats for this notebook');
    node.append(heading);
    if (!items.length) {
      node.append(this._note(this._trans.__('No saved chats yet.')));
      return;
    }
    const list = document.createElement('ul');
    list.className = 'jp-Claude-historyList';
    for (const item of items) {
      list.append(this._item(item));
    }
    node.append(list);
  }

  private _item(item: IConversationSummary): HTMLLIElement {
    const li = document.createElement('li');
    li.className = 'jp-Claude-historyItem';
    li.dataset.id = item.id;
    const current = item.id === this._currentId();
    li.classList.toggle('jp-mod-current', current);
    const title = item.title || this._trans.__('(untitled)');
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'jp-Claude-historyOpen';
    open.title = this._trans.__('Open this chat');
    const name = document.createElement('span');
    name.className = 'jp-Claude-historyTitle';
    name.textContent = title;
    const meta = document.createElement('span');
    meta.className = 'jp-Claude-historyMeta';
    meta.textContent = this._trans._n(
      '%2 · %1 turn',
      '%2 · %1 turns',
      item.turns,
      Private.date(item.updated || item.created)
    );
    open.append(name, meta);
    open.setAttribute('aria-label', this._trans.__('Open chat: %1', title));
    if (current) {
      open.setAttribute('aria-current', 'true');
    }
    open.addEventListener('click', () => void this._open(item.id));
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'jp-Claude-historyDelete jp-mod-styled';
    remove.title = this._trans.__('Delete this chat');
    remove.setAttribute('aria-label', this._trans.__('Delete chat: %1', title));
    deleteIcon.element({ container: remove, elementPosition: 'center', tag: 'span' });
    remove.addEventListener('click', () => void this._remove(item, title));
    li.append(open, remove);
    return li;
  }

  private async _open(id: string): Promise<void> {
    try {
      await this._history.open(id);
      this.hide();
    } catch (error) {
      this.node.append(this._note(this._trans.__('That chat could not be opened: %1', Private.message(error))));
    }
  }

  private async _remove(item: IConversationSummary, title: string): Promise<void> {
    const result = await showDialog({
      title: this._trans.__('Delete saved chat?'),
      body: this._trans.__('"%1" will be deleted from the server. This cannot be undone.', title),
      buttons: [
        Dialog.cancelButton({ label: this._trans.__('Cancel') }),
        Dialog.warnButton({ label: this._trans.__('Delete') })
      ]
    });
    if (!result.button.accept) {
      return;
    }
    try {
      await this._history.remove(item.id);
    } catch (error) {
      this.node.append(this._note(this._trans.__('That chat could not be deleted: %1', Private.message(error))));
      return;
    }
    await this.refresh();
  }

  private _note(text: string): HTMLElement {
    const note = document.createElement('div');
    note.className = 'jp-Claude-historyNote';
    note.textContent = text;
    return note;
  }

  private _history: IConversationHistory;
  private _trans: TranslationBundle;
  private _currentId: () => string;
}

export namespace HistoryList {
  export interface IOptions {
    history: IConversationHistory;
    trans: TranslationBundle;
    /** The id of the conversation shown in the panel. */
    currentId: () => string;
  }
}

namespace Private {
  export function message(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
  }

  export function date(iso: string): string {
    const d = new Date(iso);
    return isNaN(d.getTime()) ? '' : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  }
}
