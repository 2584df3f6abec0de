/*
 * Saving a notebook's conversation: load the latest when the notebook opens, save after
 * every finished answer, list / open / delete the saved ones.
 */
import { nullTranslator, type TranslationBundle } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import { Signal } from '@lumino/signaling';
import type { IChatTurn, IConversationHistory, IConversationSummary } from './tokens';
import { TRANSLATION_DOMAIN } from '../translation';
import type { Conversation } from './conversation';
import { fromStored, toStored, type IConversationStore } from './store';

/**
 * The id of a notebook's first conversation. Two tabs opening a notebook without saved
 * conversations both take it, so their questions end up in one conversation.
 */
export const FIRST_CONVERSATION_ID = 'first';

/**
 * Keeps one notebook's conversation saved.
 */
export class ConversationSaver implements IDisposable {
  constructor(options: ConversationSaver.IOptions) {
    this._conversation = options.conversation;
    this._store = options.store;
    this._path = options.path;
    this._delay = options.delayMs ?? 400;
    this._trans = options.trans ?? nullTranslator.load(TRANSLATION_DOMAIN);
    this._conversation.changed.connect(this._onChanged, this);
    this.ready = this.load();
  }

  /**
   * Settles when the saved conversation (if any) has been loaded.
   */
  readonly ready: Promise<void>;

  get state(): IConversationHistory['saveState'] {
    return this._state;
  }

  get error(): string | null {
    return this._error;
  }

  get stateChanged(): Signal<this, void> {
    return this._stateChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Show the latest saved conversation, unless this one already has turns.
   */
  async load(): Promise<void> {
    const path = this._path();
    if (!path) {
      return;
    }
    try {
      const list = await this._store.list(path);
      if (!this._canReplace()) {
        return;
      }
      if (!list.length) {
        this._conversation.adoptId(FIRST_CONVERSATION_ID);
        return;
      }
      const stored = await this._store.get(path, list[0].id);
      if (this._canReplace()) {
        this._conversation.restore(fromStored(stored));
      }
    } catch (error) {
      this._fail(this._trans.__('Saved chats could not be loaded: %1', Private.message(error)));
    }
  }

  /**
   * The notebook came back into focus: an empty chat picks up what another tab saved.
   */
  async refresh(): Promise<void> {
    await this.ready;
    if (this._canReplace()) {
      await this.load();
    }
  }

  async list(): Promise<IConversationSummary[]> {
    const path = this._path();
    return path ? this._store.list(path) : [];
  }

  async open(id: string): Promise<void> {
    const path = this._path();
    if (!path || this._conversation.isBusy) {
      return;
    }
    await this.flush();
    const stored = await this._store.get(path, id);
    this._conversation.restore(fromStored(stored));
  }

  async remove(id: string): Promise<void> {
    const path = this._path();
    if (!path) {
      return;
    }
    const current = id === this._conversation.id;
    if (current) {
      // Nothing of it may be written again after it is gone.
      clearTimeout(this._timer);
      this._timer = undefined;
      await this._saving;
    }
    await this._store.remove(path, id);
    if (current) {
      this._conversation.clear();
    }
  }

  /**
   * Save now if a save is waiting.
   */
  async flush(): Promise<void> {
    if (this._timer !== undefined) {
      clearTimeout(this._timer);
      this._timer = undefined;
      await this.save();
    }
    await this._saving;
  }

  /**
   * Save the conversation's finished turns (merged on the server with other tabs').
   */
  async save(): Promise<void> {
    if (this._saving) {
      this._again = true;
      return this._saving;
    }
    const path = this._path();
    const conversation = this._conversation;
    if (!path || conversation.isDisposed || !conversation.turns.some(t => t.status !== 'streaming')) {
      return;
    }
    const stored = toStored(conversation, path);
    this._setState('saving', this._error);
    this._saving = (async () => {
      try {
        await this._store.save(path, stored);
        this._setState('saved', null);
      } catch (error) {
        // Kept in the page; the next save sends the whole conversation again.
        this._fail(this._trans.__('This chat could not be saved: %1', Private.message(error)));
      }
    })();
    try {
      await this._saving;
    } finally {
      this._saving = null;
      if (this._again) {
        this._again = false;
        this._schedule();
      }
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    if (this._timer !== undefined) {
      // The notebook is closing: save what waits, without waiting for it.
      clearTimeout(this._timer);
      this._timer = undefined;
      void this.save();
    }
    this._isDisposed = true;
    this._conversation.changed.disconnect(this._onChanged, this);
    Signal.clearData(this);
  }

  private _canReplace(): boolean {
    const c = this._conversation;
    return !c.isDisposed && !c.isBusy && c.turns.length === 0;
  }

  private _onChanged(_: Conversation, turn: IChatTurn | null): void {
    // Saved when an answer ends (done, stopped, cut, error), never token by token.
    if (turn && turn.status !== 'streaming' && !this._conversation.isBusy) {
      this._schedule();
    }
  }

  private _schedule(): void {
    if (this._isDisposed) {
      return;
    }
    clearTimeout(this._timer);
    this._timer = setTimeout(() => {
      this._timer = undefined;
      if (this._conversation.isBusy) {
        return; // the end of the answer schedules the next save
      }
      void this.save();
    }, this._delay);
  }

  private _fail(message: string): void {
    console.warn('jupyterlab-claude:', message);
    this._setState('error', message);
  }

  private _setState(state: IConversationHistory['saveState'], error: string | null): void {
    this._state = state;
    this._error = error;
    if (!this._isDisposed) {
      this._stateChanged.emit();
    }
  }

  private _conversation: Conversation;
  private _store: IConversationStore;
  private _path: () => string | null;
  private _delay: number;
  private _trans: TranslationBundle;
  private _timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private _saving: Promise<void> | null = null;
  private _again = false;
  private _state: IConversationHistory['saveState'] = 'idle';
  private _error: string | null = null;
  private _isDisposed = false;
  private _stateChanged = new Signal<this, void>(this);
}

export namespace ConversationSaver {
  export interface IOptions {
    conversation: Conversation;
    store: IConversationStore;
    /** The notebook's current path relative to the Jupyter root (it changes on rename). */
    path: () => string | null;
    /** How long to wait after an answer ends before saving. */
    delayMs?: number;
    trans?: TranslationBundle;
  }
}

/**
 * The history of the notebook in focus, for the panel: follows the registry's focus.
 */
export class ConversationHistory implements IConversationHistory {
  get available(): boolean {
    return this._saver !== null;
  }

  get saveState(): IConversationHistory['saveState'] {
    return this._saver?.state ?? 'idle';
  }

  get saveError(): string | null {
    return this._saver?.error ?? null;
  }

  get changed(): Signal<this, void> {
    return this._changed;
  }

  /**
   * Follow the saver of the conversation in focus (`null`: the general chat, not saved).
   */
  follow(saver: ConversationSaver | null): void {
    if (saver === this._saver) {
      return;
    }
    this._saver?.stateChanged.disconnect(this._emit, this);
    this._saver = saver;
    saver?.stateChanged.connect(this._emit, this);
    this._emit();
  }

  list(): Promise<IConversationSummary[]> {
    return this._saver ? this._saver.list() : Promise.resolve([]);
  }

  async open(id: string): Promise<void> {
    await this._saver?.open(id);
  }

  async remove(id: string): Promise<void> {
    await this._saver?.remove(id);
  }

  private _emit(): void {
    this._changed.emit();
  }

  private _saver: ConversationSaver | null = null;
  private _changed = new Signal<this, void>(this);
}

namespace Private {
  export function message(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
  }
}
