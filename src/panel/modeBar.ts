/*
 * The permission mode of the conversation shown: a picker, and a banner whenever the mode is
 * not Ask saying what applies without a click.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { IPermissionModes, PermissionMode } from '../agent/tokens';
import type { IConversation, IConversationRegistry } from '../claude/tokens';

/**
 * The mode picker and banner, following the conversation in focus.
 */
export class ModeBar extends Widget {
  constructor(options: ModeBar.IOptions) {
    super();
    this._modes = options.modes;
    this._registry = options.registry;
    this._trans = options.trans;
    this.addClass('jp-Claude-modeBar');
    const label = document.createElement('label');
    label.className = 'jp-Claude-modeLabel';
    label.textContent = this._trans.__('Mode');
    this._select.className = 'jp-Claude-modePicker jp-mod-styled';
    this._select.setAttribute('aria-label', this._trans.__('Permission mode of this conversation'));
    this._select.addEventListener('change', () => {
      const mode = this._select.value as PermissionMode;
      if (!this._modes.setMode(this._conversation.id, mode)) {
        this._render();
      }
    });
    label.appendChild(this._select);
    this._banner.className = 'jp-Claude-modeBanner';
    this._banner.setAttribute('role', 'status');
    this._back.type = 'button';
    this._back.className = 'jp-Claude-modeBack jp-mod-styled';
    this._back.textContent = this._trans.__('Back to Ask');
    this._back.addEventListener('click', () => this._modes.setMode(this._conversation.id, 'ask'));
    this.node.append(label, this._banner);
    this._modes.changed.connect(this._render, this);
    this._registry.currentChanged.connect(this._follow, this);
    this._conversation = this._registry.current;
    this._follow(this._registry, this._registry.current);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._conversation.changed.disconnect(this._render, this);
    super.dispose();
  }

  private _follow(_: unknown, conversation: IConversation): void {
    this._conversation.changed.disconnect(this._render, this);
    this._conversation = conversation;
    // A new chat is a new id, so its own (default) mode: follow the conversation's changes.
    conversation.changed.connect(this._render, this);
    this._render();
    if (conversation.isLoading) {
      void conversation.loaded?.then(() => {
        if (this._conversation === conversation && !this.isDisposed) {
          this._render();
        }
      });
    }
  }

  private _render(): void {
    const mode = this._modes.modeOf(this._conversation.id);
    const allowed = this._modes.allowed;
    // Until the conversation is loaded, a mode picked would be lost with its stand-in.
    const loading = this._conversation.isLoading === true;
    const key = JSON.stringify([mode, allowed, loading]);
    if (key === this._key) {
      return;
    }
    this._key = key;
    this._select.textContent = '';
    for (const option of allowed) {
      const element = document.createElement('option');
      element.value = option;
      element.textContent = Private.label(option, this._trans);
      this._select.appendChild(element);
    }
    this._select.value = mode;
    this._select.disabled = allowed.length < 2 || loading;
    this._select.title = loading ? this._trans.__('The conversation is loading') : '';
    this.node.dataset.mode = mode;
    this._banner.textContent = '';
    this._banner.hidden = mode === 'ask';
    if (mode !== 'ask') {
      const text = document.createElement('span');
      text.textContent = Private.banner(mode, this._trans);
      this._banner.append(text, this._back);
    }
  }

  private _modes: IPermissionModes;
  private _registry: IConversationRegistry;
  private _trans: TranslationBundle;
  private _conversation: IConversation;
  private _select = document.createElement('select');
  private _banner = document.createElement('div');
  private _back = document.createElement('button');
  private _key = '';
}

export namespace ModeBar {
  export interface IOptions {
    modes: IPermissionModes;
    registry: IConversationRegistry;
    trans: TranslationBundle;
  }
}

namespace Private {
  export function label(mode: PermissionMode, trans: TranslationBundle): string {
    switch (mode) {
      case 'ask':
        return trans.__('Ask');
      case 'acceptEdits':
        return trans.__('Accept edits');
      case 'plan':
        return trans.__('Plan');
      case 'runInNotebook':
        return trans.__('Run in this notebook');
    }
  }

  export function banner(mode: PermissionMode, trans: TranslationBundle): string {
    switch (mode) {
      case 'acceptEdits':
        return trans.__(
          'Accept edits: insertions and replacements apply at once (each card has Undo); runs and deletions still ask.'
        );
      case 'plan':
        return trans.__('Plan: Claude may only read and propose a plan; nothing in the notebook changes.');
      case 'runInNotebook':
        return trans.__(
          'Run in this notebook: edits apply and cells run without asking, in this conversation only. Deleting cells, MCP tools and code that reaches outside the notebook still ask.'
        );
      default:
        return '';
    }
  }
}
