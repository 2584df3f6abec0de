/*
 * Conversations, one per notebook, and which one is in focus.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import type { IClaudeTools, PermissionMode } from '../agent/tokens';
import type { IClaudeSettings, IConversation, IConversationRegistry, ISlashCommands } from './tokens';
import type { ISentContext } from '../context/tokens';
import type { IStreamingClient } from './answer';
import { Conversation } from './conversation';
import { ConversationHistory, ConversationSaver } from './persistence';
import type { IConversationStore } from './store';
import { DEFAULT_SETTINGS } from './settings';

/**
 * Keeps one conversation per notebook (keyed by the notebook's widget) and a general one
 * for when no notebook is in focus.
 */
export class ConversationRegistry implements IConversationRegistry {
  constructor(options: ConversationRegistry.IOptions) {
    this._createClient = options.createClient;
    this._trans = options.trans;
    this._contextSource = options.contextSource ?? null;
    this._toolsFor = options.toolsFor ?? null;
    this._commands = options.commands ?? null;
    this._system = options.system ?? null;
    this._modeOf = options.modeOf ?? null;
    this._setModeOf = options.setModeOf ?? null;
    this._settings = options.settings ?? DEFAULT_SETTINGS;
    this._store = options.store ?? null;
    this._pathOf = options.pathOf ?? null;
    this._saveDelayMs = options.saveDelayMs;
    this._client = Private.once(() => this._createClient(this._settings));
    this._general = this._create('');
    this._current = this._general;
  }

  get current(): IConversation {
    return this._current;
  }

  get currentChanged(): Signal<this, IConversation> {
    return this._currentChanged;
  }

  get settings(): IClaudeSettings {
    return this._settings;
  }

  get settingsChanged(): Signal<this, IClaudeSettings> {
    return this._settingsChanged;
  }

  get history(): ConversationHistory | null {
    return this._store ? this._history : null;
  }

  /**
   * The saver of a notebook's conversation (when conversations are saved).
   */
  saverFor(key: object): ConversationSaver | null {
    return this._savers.get(key) ?? null;
  }

  /**
   * The conversation of a notebook, created on first use.
   */
  conversationFor(key: object, label: string): Conversation {
    let conversation = this._byKey.get(key);
    if (!conversation) {
      conversation = this._create(label);
      conversation.setContextSource(this._contextSource ? this._contextSource(key) : null);
      conversation.setTools(this._toolsFor ? this._toolsFor(key) : null);
      this._byKey.set(key, conversation);
      if (this._store && this._pathOf) {
        const pathOf = this._pathOf;
        const saver = new ConversationSaver({
          conversation,
          store: this._store,
          path: () => pathOf(key),
          delayMs: this._saveDelayMs,
          trans: this._trans
        });
        this._savers.set(key, saver);
        // A question asked while the saved chat loads waits for it.
        conversation.waitFor(saver.ready);
      }
    }
    conversation.label = label;
    return conversation;
  }

  /**
   * Put a notebook's conversation in focus (`null`: the general conversation).
   */
  activate(key: object | null, label = ''): IConversation {
    const known = key ? this._byKey.has(key) : true;
    const next = key ? this.conversationFor(key, label) : this._general;
    if (next !== this._current) {
      this._current = next;
      this._history.follow(key ? (this._savers.get(key) ?? null) : null);
      this._currentChanged.emit(next);
      if (known && key) {
        void this._savers.get(key)?.refresh();
      }
    }
    return next;
  }

  /**
   * Drop a closed notebook's conversation (stopping its answer).
   */
  forget(key: object): void {
    const conversation = this._byKey.get(key);
    if (!conversation) {
      return;
    }
    this._byKey.delete(key);
    if (conversation === this._current) {
      this.activate(null);
    }
    this._savers.get(key)?.dispose();
    this._savers.delete(key);
    conversation.dispose();
  }

  /**
   * Apply new settings; the next request of every conversation uses them.
   */
  updateSettings(settings: IClaudeSettings): void {
    const previous = this._settings;
    this._settings = settings;
    if (previous.maxRetries !== settings.maxRetries || previous.timeoutSeconds !== settings.timeoutSeconds) {
      this._client = Private.once(() => this._createClient(settings));
      for (const conversation of [this._general, ...this._all()]) {
        conversation.setClient(this._client);
      }
    }
    this._settingsChanged.emit(settings);
  }

  private _all(): Conversation[] {
    const all: Conversation[] = [];
    this._byKey.forEach(c => all.push(c));
    return all;
  }

  private _create(label: string): Conversation {
    const modeOf = this._modeOf;
    const setModeOf = this._setModeOf;
    const conversation: Conversation = new Conversation({
      client: this._client,
      settings: () => this._settings,
      label,
      trans: this._trans,
      commands: this._commands,
      system: this._system,
      // Read by id at each request: a new chat (a new id) starts in the default mode.
      mode: () => (modeOf ? modeOf(conversation.id) : 'ask'),
      setMode: setModeOf ? mode => setModeOf(conversation.id, mode) : undefined
    });
    return conversation;
  }

  private _createClient: (settings: IClaudeSettings) => IStreamingClient | Promise<IStreamingClient>;
  private _contextSource: ConversationRegistry.IOptions['contextSource'] | null;
  private _toolsFor: ConversationRegistry.IOptions['toolsFor'] | null;
  private _commands: ConversationRegistry.IOptions['commands'] | null;
  private _system: (() => string[]) | null;
  private _modeOf: ((conversationId: string) => PermissionMode) | null;
  private _setModeOf: ((conversationId: string, mode: PermissionMode) => boolean) | null;
  private _client: () => Promise<IStreamingClient>;
  private _trans?: TranslationBundle;
  private _settings: IClaudeSettings;
  private _general: Conversation;
  private _current: Conversation;
  // Keyed by notebook widget; a Map (not WeakMap) so settings changes reach every conversation.
  private _byKey = new Map<object, Conversation>();
  private _savers = new Map<object, ConversationSaver>();
  private _history = new ConversationHistory();
  private _store: IConversationStore | null;
  private _pathOf: ((key: object) => string | null) | null;
  private _saveDelayMs: number | undefined;
  private _currentChanged = new Signal<this, IConversation>(this);
  private _settingsChanged = new Signal<this, IClaudeSettings>(this);
}

export namespace ConversationRegistry {
  export interface IOptions {
    /** Make an SDK client for the given settings (called when the first request needs it). */
    createClient: (settings: IClaudeSettings) => IStreamingClient | Promise<IStreamingClient>;
    /** The initial settings. */
    settings?: IClaudeSettings;
    /** The translation bundle. */
    trans?: TranslationBundle;
    /** Where a notebook's questions get their notebook context from. */
    contextSource?: (key: object) => () => Promise<ISentContext | null>;
    /** The tools Claude may call about a notebook. */
    toolsFor?: (key: object) => IClaudeTools;
    /** A conversation's permission mode, by its id (absent: always 'ask'). */
    modeOf?: (conversationId: string) => PermissionMode;
    /** Change a conversation's permission mode; false when not allowed (absent: modes cannot change). */
    setModeOf?: (conversationId: string, mode: PermissionMode) => boolean;
    /** Where notebooks' conversations are saved (none: not saved). */
    store?: IConversationStore;
    /** A notebook's current path relative to the Jupyter root. */
    pathOf?: (key: object) => string | null;
    /** How long after an answer ends it is saved (ms). */
    saveDelayMs?: number;
    /** The slash commands a question may begin with. */
    commands?: Pick<ISlashCommands, 'resolve'>;
    /** More of the system prompt for every conversation, read at each request (the skills listing). */
    system?: () => string[];
  }
}

namespace Private {
  /**
   * Call `make` on the first call only; later calls share its promise (a failure is retried).
   */
  export function once<T>(make: () => T | Promise<T>): () => Promise<T> {
    let made: Promise<T> | null = null;
    return () => {
      if (!made) {
        made = Promise.resolve().then(make);
        made.catch(() => {
          made = null;
        });
      }
      return made;
    };
  }
}
