/*
 * The conversation registry as start-up provides it: the settings and the notebook in focus at
 * once, the conversations themselves (requests, streams, tool rounds, saving) loaded with the
 * panel or the first question, not with JupyterLab.
 */
import { Signal } from '@lumino/signaling';
import type { ConversationRegistry } from './registry';
import type { IChatTurn, IClaudeSettings, IConversation, IConversationHistory, IConversationRegistry } from './tokens';

/**
 * Stands for `ConversationRegistry` until its code is loaded, then passes everything on. Until
 * then the conversation in focus has no turns: none was asked, none was restored.
 */
export class LazyConversations implements IConversationRegistry {
  /**
   * @param options the registry's options, but its settings: those given to `updateSettings`
   */
  constructor(
    private readonly _options: Omit<ConversationRegistry.IOptions, 'settings'> & { settings: IClaudeSettings }
  ) {
    this._settings = _options.settings;
    this._pending = new Private.PendingConversation(this);
  }

  /**
   * The registry, loading its code on the first call.
   */
  load(): Promise<ConversationRegistry> {
    if (!this._loading) {
      this._loading = import(/* webpackChunkName: "claude-conversations" */ './registry').then(module => {
        const registry = new module.ConversationRegistry({ ...this._options, settings: this._settings });
        if (this._focus) {
          registry.activate(this._focus.key, this._focus.label);
        }
        registry.currentChanged.connect((_, conversation) => this._currentChanged.emit(conversation));
        registry.settingsChanged.connect((_, settings) => this._settingsChanged.emit(settings));
        this._registry = registry;
        // The conversation in focus is now the real one (a saved chat may be restored into it).
        this._currentChanged.emit(registry.current);
        return registry;
      });
      this._loading.catch(() => (this._loading = null));
    }
    return this._loading;
  }

  get current(): IConversation {
    return this._registry?.current ?? this._pending;
  }

  get currentChanged(): Signal<this, IConversation> {
    return this._currentChanged;
  }

  get settings(): IClaudeSettings {
    return this._registry?.settings ?? this._settings;
  }

  get settingsChanged(): Signal<this, IClaudeSettings> {
    return this._settingsChanged;
  }

  get history(): IConversationHistory | null {
    return this._registry?.history ?? null;
  }

  /**
   * The label of the conversation in focus before the registry loads.
   */
  get pendingLabel(): string {
    return this._focus?.label ?? '';
  }

  updateSettings(settings: IClaudeSettings): void {
    if (this._registry) {
      this._registry.updateSettings(settings);
      return;
    }
    this._settings = settings;
    this._settingsChanged.emit(settings);
  }

  /**
   * Put a notebook's conversation in focus (`null`: the general conversation).
   */
  activate(key: object | null, label = ''): void {
    if (this._registry) {
      this._registry.activate(key, label);
      return;
    }
    this._focus = key ? { key, label } : null;
  }

  /**
   * A notebook was renamed: its conversation takes the new label (and saves under its new path).
   */
  rename(key: object, label: string): void {
    if (this._registry) {
      this._registry.conversationFor(key, label);
    } else if (this._focus?.key === key) {
      this._focus.label = label;
    }
  }

  /**
   * Drop a closed notebook's conversation.
   */
  forget(key: object): void {
    if (this._registry) {
      this._registry.forget(key);
    } else if (this._focus?.key === key) {
      this._focus = null;
    }
  }

  /**
   * Stop the question on its way to the conversation in focus (nothing streams before the
   * registry loads; a question asked meanwhile stops once there).
   */
  stopLoading(): void {
    void this._loading?.then(registry => registry.current.stop());
  }

  /**
   * The conversation in focus once loaded, after its saved chat (if any) is restored.
   */
  async restored(): Promise<IConversation> {
    const registry = await this.load();
    const conversation = registry.current;
    const key = this._focus?.key;
    await (key ? registry.saverFor(key)?.ready : undefined);
    return conversation;
  }

  private _loading: Promise<ConversationRegistry> | null = null;
  private _registry: ConversationRegistry | null = null;
  private _settings: IClaudeSettings;
  private _focus: { key: object; label: string } | null = null;
  private _pending: IConversation;
  private _currentChanged = new Signal<this, IConversation>(this);
  private _settingsChanged = new Signal<this, IClaudeSettings>(this);
}

export namespace LazyConversations {
  /**
   * The registry with its code loaded (any other `IConversationRegistry` as it is).
   */
  export async function whenLoaded<T extends IConversationRegistry>(registry: T): Promise<T> {
    if (registry instanceof LazyConversations) {
      await registry.load();
    }
    return registry;
  }
}

namespace Private {
  /**
   * The conversation in focus before the registry loads: empty and idle; asking loads the
   * registry and asks the real one.
   */
  export class PendingConversation implements IConversation {
    constructor(private readonly _registry: LazyConversations) {}

    readonly id = '';
    readonly isLoading = true;
    readonly turns: ReadonlyArray<IChatTurn> = [];
    readonly isBusy = false;
    readonly changed: Signal<IConversation, IChatTurn | null> = new Signal(this);

    get label(): string {
      return this._registry.pendingLabel;
    }

    get isDisposed(): boolean {
      return false;
    }

    async send(text: string): Promise<void> {
      return (await this._registry.load()).current.send(text);
    }

    async retry(): Promise<void> {
      return (await this._registry.load()).current.retry();
    }

    async continue(): Promise<void> {
      return (await this._registry.load()).current.continue();
    }

    stop(): void {
      this._registry.stopLoading();
    }

    clear(): void {
      // A new chat: after the saved one is restored, or it would come back over the new one.
      void this._registry.restored().then(conversation => conversation.clear());
    }

    dispose(): void {
      // The registry owns its conversations; this one holds nothing.
    }
  }
}
