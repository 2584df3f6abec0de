/*
 * What the scientist is about to ask: the draft and the cells attached to it. The panel's
 * message box renders this model and writes to it; commands fill it and send it.
 */
import type { IDisposable } from '@lumino/disposable';
import { type ISignal, Signal } from '@lumino/signaling';
import type { IContextSelection } from '../context/tokens';

/**
 * The draft of the next question and its attachments.
 *
 * The attached cells belong to the notebook in focus (its context selection holds them, so
 * they stay with that notebook and go with its later questions until the scientist removes
 * them); this model follows whichever selection it is given and says when its list changes.
 */
export class InputModel implements IDisposable {
  constructor(options: InputModel.IOptions) {
    this._send = options.send;
    this._isBusy = options.isBusy;
  }

  /**
   * The draft's text.
   */
  get value(): string {
    return this._value;
  }

  set value(value: string) {
    if (value === this._value) {
      return;
    }
    this._value = value;
    this._valueChanged.emit(value);
  }

  /**
   * Emitted with the new text whenever the draft changes.
   */
  get valueChanged(): ISignal<this, string> {
    return this._valueChanged;
  }

  /**
   * The ids of the cells attached to the next question, in the order attached.
   */
  get attachments(): ReadonlyArray<string> {
    return this._attachments;
  }

  /**
   * Emitted with the new list whenever the attached cells change (and only then).
   */
  get attachmentsChanged(): ISignal<this, ReadonlyArray<string>> {
    return this._attachmentsChanged;
  }

  /**
   * Whether `send` would send: a draft that is not blank and no answer streaming.
   */
  get canSend(): boolean {
    return !!this._value.trim() && !this._isBusy();
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Follow the context selection of the notebook in focus (null: no notebook).
   */
  setSelection(selection: IContextSelection | null): void {
    if (selection === this._selection) {
      return;
    }
    this._selection?.changed.disconnect(this._syncAttachments, this);
    this._selection = selection;
    selection?.changed.connect(this._syncAttachments, this);
    this._syncAttachments();
  }

  /**
   * Attach cells of the notebook in focus to the next question (nothing without a notebook).
   */
  attach(cellIds: string[]): void {
    this._selection?.attach(cellIds);
  }

  /**
   * Send the draft and empty it; the attachments stay. Returns whether it was sent.
   */
  send(): boolean {
    if (!this.canSend) {
      return false;
    }
    const text = this._value;
    this.value = '';
    this._send(text);
    return true;
  }

  /**
   * Empty the draft.
   */
  clear(): void {
    this.value = '';
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._selection?.changed.disconnect(this._syncAttachments, this);
    this._selection = null;
    Signal.clearData(this);
  }

  private _syncAttachments(): void {
    const next = this._selection ? this._selection.extraCellIds : [];
    const same = next.length === this._attachments.length && next.every((id, i) => id === this._attachments[i]);
    if (!same) {
      this._attachments = next;
      this._attachmentsChanged.emit(next);
    }
  }

  private _send: (text: string) => void;
  private _isBusy: () => boolean;
  private _value = '';
  private _attachments: ReadonlyArray<string> = [];
  private _selection: IContextSelection | null = null;
  private _isDisposed = false;
  private _valueChanged = new Signal<this, string>(this);
  private _attachmentsChanged = new Signal<this, ReadonlyArray<string>>(this);
}

export namespace InputModel {
  export interface IOptions {
    /** Ask the question (the conversation of the notebook in focus). */
    send: (text: string) => void;
    /** Whether an answer is streaming (nothing is sent meanwhile). */
    isBusy: () => boolean;
  }
}
