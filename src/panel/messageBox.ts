/*
 * The message box: a view of the input model (the draft), with Send and Stop.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { InputModel } from '../claude/input';
import type { ISlashCommands } from '../claude/tokens';
import { styledButton } from './card';
import { SlashMenu } from './slashMenu';

/**
 * The panel's message box. Enter sends, Shift+Enter starts a new line.
 */
export class MessageBox extends Widget {
  constructor(options: MessageBox.IOptions) {
    super();
    this._model = options.model;
    this._isBusy = options.isBusy;
    const trans = options.trans;
    this.addClass('jp-Claude-inputArea');
    const input = this._input;
    input.className = 'jp-Claude-input';
    input.rows = 3;
    input.placeholder = trans.__('Ask Claude about your notebook (Enter to send, Shift+Enter for a new line)');
    input.setAttribute('aria-label', trans.__('Ask Claude'));
    if (options.commands) {
      this._menu = new SlashMenu({
        input,
        commands: options.commands,
        trans,
        pick: value => (this._model.value = value)
      });
    }
    input.addEventListener('keydown', event => {
      if (this._menu?.handleKey(event)) {
        return;
      }
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this._model.send();
      }
    });
    input.addEventListener('input', () => (this._model.value = input.value));
    const send = styledButton(trans.__('Send'), 'jp-Claude-send jp-mod-accept', () => this._model.send());
    const stop = styledButton(trans.__('Stop'), 'jp-Claude-stop jp-mod-warn', options.stop);
    this._send = send;
    this._stop = stop;
    const buttons = document.createElement('div');
    buttons.className = 'jp-Claude-inputButtons';
    buttons.append(stop, send);
    this.node.append(input, buttons);
    if (this._menu) {
      this.node.append(this._menu.node);
    }
    this._model.valueChanged.connect(this._onValueChanged, this);
    input.value = this._model.value;
  }

  /**
   * Put the keyboard in the message box.
   */
  focusInput(): void {
    this._input.focus();
  }

  /**
   * Enable Send and Stop for the draft and the conversation as they are now.
   */
  refresh(): void {
    this._send.disabled = !this._model.canSend;
    this._stop.disabled = !this._isBusy();
  }

  dispose(): void {
    this._model.valueChanged.disconnect(this._onValueChanged, this);
    this._menu?.dispose();
    super.dispose();
  }

  private _onValueChanged(_: InputModel, value: string): void {
    // Only a change from elsewhere is written back, so typing keeps its cursor.
    if (this._input.value !== value) {
      this._input.value = value;
    }
    this.refresh();
  }

  private _model: InputModel;
  private _isBusy: () => boolean;
  private _input = document.createElement('textarea');
  private _menu: SlashMenu | null = null;
  private _send: HTMLButtonElement;
  private _stop: HTMLButtonElement;
}

export namespace MessageBox {
  export interface IOptions {
    model: InputModel;
    trans: TranslationBundle;
    /** Whether an answer is streaming. */
    isBusy: () => boolean;
    /** Stop the answer that is streaming. */
    stop: () => void;
    /** The slash commands to complete after `/` (none: no completion). */
    commands?: ISlashCommands | null;
  }
}
