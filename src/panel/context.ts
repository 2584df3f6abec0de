/*
 * What Claude sees: chips for the context the next question will carry (removable and
 * addable), and the exact context a question was sent with, on demand.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { ISentContext } from '../context/tokens';
import type { INotebookSessions } from '../session/tokens';

/**
 * Chips for what the next question will carry.
 */
export class ContextBar extends Widget {
  constructor(options: ContextBar.IOptions) {
    super();
    this._service = options.service;
    this._trans = options.trans;
    this.addClass('jp-Claude-contextBar');
    this.node.setAttribute('role', 'group');
    this.node.setAttribute('aria-label', this._trans.__('What Claude will see'));
    this._service.changed.connect(this.refreshSoon, this);
  }

  /**
   * Refresh the preview after things settle (cell moves, typing).
   */
  refreshSoon(): void {
    window.clearTimeout(this._timer);
    this._timer = window.setTimeout(() => void this.refresh(), 400);
  }

  /**
   * Refresh the preview now.
   */
  async refresh(): Promise<void> {
    if (this.isDisposed || !this.isVisible) {
      return;
    }
    const generation = ++this._generation;
    let context: ISentContext | null = null;
    try {
      context = await this._service.preview();
    } catch (error) {
      console.warn('jupyterlab-claude: could not preview the context', error);
    }
    if (generation === this._generation && !this.isDisposed) {
      this._render(context);
    }
  }

  dispose(): void {
    window.clearTimeout(this._timer);
    super.dispose();
  }

  protected onAfterShow(): void {
    void this.refresh();
  }

  private _render(context: ISentContext | null): void {
    const node = this.node;
    node.textContent = '';
    if (!context) {
      return;
    }
    const head = document.createElement('div');
    head.className = 'jp-Claude-contextHead';
    head.textContent = this._trans.__(
      'Claude will see ≈%1 tokens of this notebook%2',
      context.totalTokens.toLocaleString(),
      context.redactions ? this._trans.__(' (%1 secrets redacted)', context.redactions) : ''
    );
    const attach = document.createElement('button');
    attach.type = 'button';
    attach.className = 'jp-Claude-attach jp-mod-minimal jp-Button';
    attach.textContent = this._trans.__('+ Selected cells');
    attach.setAttribute('aria-label', this._trans.__('Attach the selected cells'));
    attach.title = this._trans.__('Send the selected cells in full with the next questions');
    attach.addEventListener('click', () => {
      const ids = this._service.selectedCellIds();
      this._service.selection?.attach(ids);
    });
    head.appendChild(attach);
    node.appendChild(head);

    const chips = document.createElement('div');
    chips.className = 'jp-Claude-chips';
    for (const part of context.parts) {
      chips.appendChild(this._chip(part.id, part.title, part.tokens, false));
    }
    for (const part of context.omitted.filter(p => p.cause === 'removed')) {
      chips.appendChild(this._chip(part.id, part.title, part.tokens, true));
    }
    node.appendChild(chips);
    for (const note of context.notes) {
      const line = document.createElement('div');
      line.className = 'jp-Claude-contextNote';
      line.textContent = note;
      node.appendChild(line);
    }
  }

  private _chip(id: string, title: string, tokens: number, removed: boolean): HTMLElement {
    const chip = document.createElement('span');
    chip.className = 'jp-Claude-chip';
    chip.classList.toggle('jp-mod-removed', removed);
    chip.dataset.id = id;
    const label = document.createElement('span');
    label.textContent = `${title} · ${tokens.toLocaleString()}`;
    label.title = removed
      ? this._trans.__('Left out of the next questions')
      : this._trans.__('%1 tokens', tokens.toLocaleString());
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'jp-Claude-chipButton';
    button.textContent = removed ? '+' : '×';
    button.setAttribute(
      'aria-label',
      removed ? this._trans.__('Add back %1', title) : this._trans.__('Remove %1', title)
    );
    button.addEventListener('click', () => {
      const selection = this._service.selection;
      if (removed) {
        selection?.include(id);
      } else {
        selection?.exclude(id);
      }
    });
    chip.append(label, button);
    return chip;
  }

  private _service: INotebookSessions;
  private _trans: TranslationBundle;
  private _timer = 0;
  private _generation = 0;
}

export namespace ContextBar {
  export interface IOptions {
    service: INotebookSessions;
    trans: TranslationBundle;
  }
}

/**
 * Show the exact context a question was sent with.
 */
export async function showSentContext(context: ISentContext, trans: TranslationBundle): Promise<void> {
  const body = new Widget();
  body.addClass('jp-Claude-sentContext');
  const summary = document.createElement('p');
  summary.textContent = trans.__(
    '%1 parts, ≈%2 tokens, %3 images, %4 secrets redacted. The first part was sent in the system prompt (cached), the rest with the question.',
    context.parts.length,
    context.totalTokens.toLocaleString(),
    context.images.length,
    context.redactions
  );
  const pre = document.createElement('pre');
  pre.textContent = `${context.stableText}\n\n${context.volatileText}`;
  body.node.append(summary, pre);
  for (const note of context.notes) {
    const line = document.createElement('p');
    line.textContent = note;
    body.node.appendChild(line);
  }
  await showDialog({
    title: trans.__('What Claude saw with this question'),
    body,
    buttons: [Dialog.okButton({ label: trans.__('Close') })]
  });
}
