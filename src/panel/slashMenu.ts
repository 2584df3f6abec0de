/*
 * The completion list of slash commands under the message box: typing `/` lists them,
 * arrow keys move, Enter or Tab picks, Escape closes.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { applyCompletion } from '../claude/slash';
import type { ISlashCommand, ISlashCommands } from '../claude/tokens';

/**
 * The slash command completion list of one textarea.
 */
export class SlashMenu {
  constructor(options: SlashMenu.IOptions) {
    this._input = options.input;
    this._commands = options.commands;
    this._pick = options.pick;
    this._trans = options.trans;
    const node = this.node;
    node.className = 'jp-Claude-slashMenu';
    node.id = Private.newId();
    node.setAttribute('role', 'listbox');
    node.setAttribute('aria-label', this._trans.__('Commands'));
    node.hidden = true;
    this._input.setAttribute('aria-controls', node.id);
    this._input.setAttribute('aria-autocomplete', 'list');
    this._input.addEventListener('input', this._update);
    this._input.addEventListener('click', this._update);
    this._input.addEventListener('blur', this._close);
    this._commands.changed.connect(this._onCommandsChanged, this);
  }

  /**
   * The list's node (placed by the message box).
   */
  readonly node = document.createElement('div');

  /**
   * Whether the list is showing.
   */
  get isOpen(): boolean {
    return !this.node.hidden;
  }

  /**
   * Handle a key pressed in the textarea; true when the list took it.
   */
  handleKey(event: KeyboardEvent): boolean {
    if (!this.isOpen || event.isComposing) {
      return false;
    }
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        const step = event.key === 'ArrowDown' ? 1 : -1;
        this._active = (this._active + step + this._items.length) % this._items.length;
        this._render();
        break;
      }
      case 'Enter':
      case 'Tab':
        if (event.shiftKey) {
          return false;
        }
        this._choose(this._items[this._active]);
        break;
      case 'Escape':
        this._close();
        break;
      default:
        return false;
    }
    event.preventDefault();
    event.stopPropagation();
    return true;
  }

  dispose(): void {
    this._input.removeEventListener('input', this._update);
    this._input.removeEventListener('click', this._update);
    this._input.removeEventListener('blur', this._close);
    this._commands.changed.disconnect(this._onCommandsChanged, this);
    this.node.remove();
  }

  private _onCommandsChanged(): void {
    if (this.isOpen) {
      this._update();
    }
  }

  private _update = (): void => {
    const input = this._input;
    const items = this._commands.complete(input.value, input.selectionStart ?? input.value.length);
    const previous = this._items[this._active]?.name;
    this._items = items;
    this._active = Math.max(
      0,
      items.findIndex(c => c.name === previous)
    );
    this._render();
  };

  private _close = (): void => {
    this._items = [];
    this._render();
  };

  private _choose(command: ISlashCommand | undefined): void {
    if (!command) {
      return;
    }
    const input = this._input;
    const next = applyCompletion(input.value, input.selectionStart ?? input.value.length, command.name);
    this._pick(next.value);
    input.value = next.value;
    input.setSelectionRange(next.cursor, next.cursor);
    this._close();
    input.focus();
  }

  private _render(): void {
    const node = this.node;
    node.replaceChildren();
    node.hidden = !this._items.length;
    this._input.setAttribute('aria-expanded', String(!node.hidden));
    this._input.removeAttribute('aria-activedescendant');
    this._items.forEach((command, i) => {
      const option = document.createElement('div');
      option.className = 'jp-Claude-slashOption';
      option.id = `${node.id}-${i}`;
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', String(i === this._active));
      option.dataset.name = command.name;
      const name = document.createElement('span');
      name.className = 'jp-Claude-slashName';
      name.textContent = `/${command.name}`;
      const source = document.createElement('span');
      source.className = 'jp-Claude-slashSource';
      source.textContent = command.source;
      const description = document.createElement('span');
      description.className = 'jp-Claude-slashDescription';
      description.textContent = command.description;
      option.append(name, source, description);
      // Chosen on mousedown, before the textarea's blur closes the list.
      option.addEventListener('mousedown', event => {
        event.preventDefault();
        this._choose(command);
      });
      if (i === this._active) {
        this._input.setAttribute('aria-activedescendant', option.id);
      }
      node.append(option);
    });
    node.querySelector('[aria-selected="true"]')?.scrollIntoView?.({ block: 'nearest' });
  }

  private _input: HTMLTextAreaElement;
  private _commands: ISlashCommands;
  private _pick: (value: string) => void;
  private _trans: TranslationBundle;
  private _items: ISlashCommand[] = [];
  private _active = 0;
}

export namespace SlashMenu {
  export interface IOptions {
    /** The message box's textarea. */
    input: HTMLTextAreaElement;
    commands: ISlashCommands;
    trans: TranslationBundle;
    /** Write the draft after a pick. */
    pick: (value: string) => void;
  }
}

namespace Private {
  let count = 0;

  /** A unique id for a list, so the textarea can point at it. */
  export function newId(): string {
    return `jp-Claude-slashMenu-${count++}`;
  }
}
