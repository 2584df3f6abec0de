/*
 * The Claude side panel: the conversation of the notebook in focus, a message box,
 * Send / Stop / New chat, and the model in use.
 */
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import { Panel, Widget } from '@lumino/widgets';
import { InputModel } from '../claude/input';
import type { IModelChoice } from '../claude/models';
import type { IChatTurn, IConversation, IConversationRegistry, ISlashCommands } from '../claude/tokens';
import type { INotebookSessions } from '../session/tokens';
import { CardClass } from './card';
import { ContextBar } from './context';
import { HistoryList } from './history';
import { HypothesisArea } from './hypothesisArea';
import { HypothesisLedgerView } from './hypothesisLedger';
import { MessageBox } from './messageBox';
import type { IClaudePolicy } from '../usage/tokens';
import { ModelPicker } from './modelPicker';
import { PlanArea } from './planCard';
import { ProposalArea } from './proposal';
import { claudeIcon } from './icon';
import { TurnView } from './turn';
import { warmUpAnswers } from './warmUp';
import { PanelViews } from './views';

/**
 * The Claude panel.
 */
export class ClaudePanel extends Panel {
  constructor(options: ClaudePanel.IOptions) {
    super();
    this._registry = options.registry;
    this._rendermime = options.rendermime;
    this._trans = options.trans;
    this._sessions = options.sessions ?? null;
    this._modelPicker = new ModelPicker({
      trans: this._trans,
      configured: () => this._registry.settings.model,
      listModels: options.listModels,
      setModel: options.setModel,
      policy: options.policy
    });
    this._proposeCode = options.proposeCode;
    this._draft = new InputModel({
      send: text => void this._send(text),
      isBusy: () => this.conversation.isBusy
    });
    this._messageBox = new MessageBox({
      model: this._draft,
      trans: this._trans,
      isBusy: () => this.conversation.isBusy,
      stop: () => this.conversation.stop(),
      commands: options.commands
    });
    this.id = 'jp-claude-chat';
    this.addClass('jp-Claude-panel');
    this.title.icon = claudeIcon;
    this.title.caption = this._trans.__('Claude');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', this._trans.__('Claude'));

    this.addWidget(this._buildHeader());
    const history = this._registry.history;
    if (history) {
      this._history = new HistoryList({ history, trans: this._trans, currentId: () => this.conversation.id });
      this.addWidget(this._history);
      this._saveStatus.className = 'jp-Claude-saveStatus';
      this._saveStatus.setAttribute('role', 'status');
      this._saveStatus.hidden = true;
      history.changed.connect(this._onSaveState, this);
    }
    this._log.addClass('jp-Claude-log');
    this._log.node.setAttribute('role', 'log');
    this._log.node.setAttribute('aria-label', this._trans.__('Conversation with Claude'));
    // Whether to follow the answer: the scientist has not scrolled up to read. Measured when
    // they scroll, not on every streamed event (which would force a layout each time).
    this._log.node.addEventListener(
      'scroll',
      () => {
        const log = this._log.node;
        this._atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
      },
      { passive: true }
    );
    this.addWidget(this._log);
    const service = this._sessions;
    if (service) {
      this._planArea = new PlanArea({ trans: this._trans, cellLabel: id => service.cellLabel(id) });
      this.addWidget(this._planArea);
      this._proposals = new ProposalArea({ trans: this._trans, cellLabel: id => service.cellLabel(id) });
      this.addWidget(this._proposals);
      this._hypothesisArea = new HypothesisArea({ trans: this._trans });
      this.addWidget(this._hypothesisArea);
      this._ledger = new HypothesisLedgerView({ trans: this._trans, cellLabel: id => service.cellLabel(id) });
      this._ledger.hide();
      this.addWidget(this._ledger);
      const followProposals = () => this._proposals!.setQueue(service.proposals());
      const followHypotheses = () => {
        const hypotheses = service.hypotheses();
        this._hypothesisArea!.setSource(hypotheses);
        this._ledger!.setSource(hypotheses);
        this._syncLedgerButton(hypotheses?.rows().length ?? 0);
      };
      const followPlans = () => this._planArea!.setSource(service.plans());
      service.plansChanged.connect(followPlans, this);
      followPlans();
      service.proposalsChanged.connect(followProposals, this);
      service.hypothesesChanged.connect(followHypotheses, this);
      followProposals();
      followHypotheses();
      // The cells attached to the next question are those of the notebook in focus.
      service.changed.connect(() => this._draft.setSelection(service.selection), this);
      this._draft.setSelection(service.selection);
      this._contextBar = new ContextBar({ service, trans: this._trans });
      this.addWidget(this._contextBar);
    }
    this.addWidget(this._messageBox);

    this._registry.currentChanged.connect(this._onCurrentChanged, this);
    this._registry.settingsChanged.connect(() => this._modelPicker.update(), this);
    this._follow(this._registry.current);
  }

  /**
   * The conversation shown.
   */
  get conversation(): IConversation {
    return this._conversation!;
  }

  /**
   * The next question: the draft the message box shows, and its attached cells.
   */
  get input(): InputModel {
    return this._draft;
  }

  /**
   * Send a question once the administrator's policy is known, so that it never goes with a
   * model the picker is about to move off (the server would refuse it), or once it is late.
   */
  private async _send(text: string): Promise<void> {
    const conversation = this.conversation;
    await this._modelPicker.policyKnown();
    await conversation.send(text);
  }

  /**
   * Focus the message box.
   */
  focusInput(): void {
    this._messageBox.focusInput();
    // A closing command palette hands focus back to where it was: take it after that.
    requestAnimationFrame(() => this._messageBox.focusInput());
  }

  /**
   * Show the hypothesis ledger instead of the chat (or the chat again).
   */
  showLedger(show: boolean): void {
    if (!this._ledger) {
      return;
    }
    this.node.classList.toggle('jp-mod-ledger', show);
    this._ledgerButton.setAttribute('aria-pressed', String(show));
    if (show && this.views.shown) {
      this.views.show(null);
    }
    if (show) {
      this._ledger.refresh();
      this._ledger.show();
    } else {
      this._ledger.hide();
    }
  }

  /**
   * Whether the ledger is shown.
   */
  get ledgerShown(): boolean {
    return this.node.classList.contains('jp-mod-ledger');
  }

  /**
   * Refresh the model picker from the upstream's list.
   */
  refreshModels(): Promise<void> {
    return this._modelPicker.load();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._conversation?.changed.disconnect(this._onTurnChanged, this);
    this._draft.dispose();
    super.dispose();
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    this.focusInput();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._loadModelsOnce();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    // Built when the sidebar is first shown, the panel is attached already visible.
    if (this.isVisible) {
      this._loadModelsOnce();
    }
  }

  private _loadModelsOnce(): void {
    if (!this._modelsLoaded) {
      this._modelsLoaded = true;
      void this.refreshModels();
      // While the scientist types, the first answer's once-only costs are paid off screen.
      void warmUpAnswers(this._rendermime, this._trans);
    }
  }

  private _buildHeader(): Widget {
    const header = new Widget();
    header.addClass('jp-Claude-header');
    const title = document.createElement('div');
    title.className = 'jp-Claude-title';
    this._label.className = 'jp-Claude-notebookLabel';
    title.append(this._label);
    const newChat = document.createElement('button');
    newChat.type = 'button';
    newChat.className = 'jp-Claude-newChat jp-mod-styled';
    newChat.textContent = this._trans.__('New chat');
    newChat.setAttribute('aria-label', this._trans.__('New chat'));
    newChat.addEventListener('click', () => {
      this.conversation.clear();
      this.focusInput();
    });
    this._historyButton.type = 'button';
    this._historyButton.className = 'jp-Claude-historyButton jp-mod-styled';
    this._historyButton.textContent = this._trans.__('History');
    this._historyButton.title = this._trans.__('Saved chats of this notebook');
    this._historyButton.setAttribute('aria-label', this._trans.__('History'));
    this._historyButton.addEventListener('click', () => this._history?.toggle());
    const tools = document.createElement('div');
    tools.className = 'jp-Claude-headerTools';
    this._ledgerButton.type = 'button';
    this._ledgerButton.className = 'jp-Claude-ledgerToggle jp-mod-styled';
    this._ledgerButton.setAttribute('aria-pressed', 'false');
    this._ledgerButton.title = this._trans.__('The hypotheses of this notebook, their evidence and verdicts');
    this._ledgerButton.addEventListener('click', () => this.showLedger(!this.ledgerShown));
    this._syncLedgerButton(0);
    tools.append(this._modelPicker.node);
    if (this._sessions) {
      tools.append(this._ledgerButton);
    }
    tools.append(this.views.buttons);
    if (this._registry.history) {
      tools.append(this._historyButton);
    }
    tools.append(newChat);
    header.node.append(title, tools, this._saveStatus, this._modelPicker.lateNote);
    return header;
  }

  private _onCurrentChanged(_: IConversationRegistry, conversation: IConversation): void {
    this._follow(conversation);
  }

  private _follow(conversation: IConversation): void {
    if (this._conversation === conversation) {
      return;
    }
    this._conversation?.changed.disconnect(this._onTurnChanged, this);
    this._conversation = conversation;
    conversation.changed.connect(this._onTurnChanged, this);
    this._rebuild();
  }

  private _onTurnChanged(conversation: IConversation, turn: IChatTurn | null): void {
    if (conversation !== this._conversation) {
      return;
    }
    if (turn?.role === 'assistant' && turn.status !== 'streaming') {
      // Outputs and variables may have changed since: show what the next question carries.
      this._contextBar?.refreshSoon();
    }
    if (!turn) {
      this._rebuild();
      return;
    }
    const view = this._views.get(turn.id);
    if (view) {
      view.render(turn);
    } else {
      this._addView(turn);
    }
    this._afterChange(turn);
  }

  private _rebuild(): void {
    this._views.forEach(view => view.dispose());
    this._views.clear();
    for (const turn of this.conversation.turns) {
      this._addView(turn);
    }
    this.node.dataset.conversationId = this.conversation.id;
    if (this._history && !this._history.isHidden) {
      void this._history.refresh();
    }
    this._onSaveState();
    this._label.textContent = this.conversation.label
      ? this._trans.__('Chat for %1', this.conversation.label)
      : this._trans.__('General chat (no notebook open)');
    this._afterChange(null);
  }

  private _addView(turn: IChatTurn): void {
    const view = new TurnView({
      turn,
      rendermime: this._rendermime,
      trans: this._trans,
      onRetry: () => void this.conversation.retry(),
      onContinue: () => void this.conversation.continue(),
      onCode: turn.role === 'assistant' ? this._proposeCode : undefined
    });
    this._views.set(turn.id, view);
    this._log.addWidget(view);
  }

  private _afterChange(turn: IChatTurn | null): void {
    this._syncButtons();
    if (this._empty.parentElement !== this._log.node && !this.conversation.turns.length) {
      this._renderEmpty();
    } else if (this.conversation.turns.length && this._empty.parentElement) {
      this._empty.remove();
    }
    // Follow the answer only if the scientist hasn't scrolled up to read; once per frame.
    if (!turn) {
      this._atBottom = true;
    }
    if (this._atBottom && !this._scrollPending) {
      this._scrollPending = true;
      requestAnimationFrame(() => {
        this._scrollPending = false;
        if (this._atBottom) {
          const log = this._log.node;
          log.scrollTop = log.scrollHeight;
        }
      });
    }
  }

  private _onSaveState(): void {
    const history = this._registry.history;
    if (!history) {
      return;
    }
    this.node.dataset.saveState = history.saveState;
    this._historyButton.disabled = !history.available;
    if (!history.available && this._history && !this._history.isHidden) {
      this._history.hide();
    }
    const failed = history.saveState === 'error' && history.available;
    this._saveStatus.textContent = failed
      ? `${history.saveError ?? ''} ${this._trans.__('The chat stays here; it is saved again with the next answer.')}`
      : '';
    this._saveStatus.hidden = !failed;
  }

  private _renderEmpty(): void {
    this._empty.className = CardClass.empty;
    this._empty.textContent = this._trans.__(
      'Ask about this notebook, its data or an error. Claude proposes; nothing changes in your notebook or kernel unless you accept it.'
    );
    this._log.node.appendChild(this._empty);
  }

  private _syncLedgerButton(count: number): void {
    const label = count ? this._trans.__('Hypotheses (%1)', count) : this._trans.__('Hypotheses');
    this._ledgerButton.textContent = label;
    this._ledgerButton.setAttribute('aria-label', label);
  }

  private _syncButtons(): void {
    const busy = this.conversation.isBusy;
    this._messageBox.refresh();
    this.node.classList.toggle('jp-Claude-busy', busy);
  }

  /** The views (Tools, Skills) and card areas other capabilities add. */
  readonly views: PanelViews = new PanelViews(
    this,
    document.createElement('div'),
    () => this.widgets.indexOf(this._contextBar ?? this._messageBox),
    shown => shown && this.showLedger(false)
  );
  private _registry: IConversationRegistry;
  private _sessions: INotebookSessions | null;
  private _rendermime: IRenderMimeRegistry;
  private _trans: TranslationBundle;
  private _modelPicker: ModelPicker;
  private _proposeCode?: (source: string, mode: 'insert' | 'replace') => void;
  private _conversation: IConversation | null = null;
  private _contextBar: ContextBar | null = null;
  private _history: HistoryList | null = null;
  private _historyButton = document.createElement('button');
  private _saveStatus = document.createElement('div');
  private _planArea: PlanArea | null = null;
  private _proposals: ProposalArea | null = null;
  private _hypothesisArea: HypothesisArea | null = null;
  private _ledger: HypothesisLedgerView | null = null;
  private _ledgerButton = document.createElement('button');
  private _views = new Map<string, TurnView>();
  private _log = new Panel();
  private _atBottom = true;
  private _scrollPending = false;
  private _label = document.createElement('span');
  private _draft: InputModel;
  private _messageBox: MessageBox;
  private _empty = document.createElement('div');
  private _modelsLoaded = false;
}

export namespace ClaudePanel {
  export interface IOptions {
    registry: IConversationRegistry;
    /** The sessions of the open notebooks (none: no notebooks, no proposals or context bar). */
    sessions?: INotebookSessions | null;
    rendermime: IRenderMimeRegistry;
    trans: TranslationBundle;
    /** List the models to offer, always including the configured one. */
    listModels: (configured: string) => Promise<IModelChoice[]>;
    /** Make a model the one in use (writes the setting). */
    setModel: (model: string) => Promise<void>;
    /** Turn a code block of an answer into a proposal for the notebook in focus. */
    proposeCode?: (source: string, mode: 'insert' | 'replace') => void;
    /** The slash commands the message box completes. */
    commands?: ISlashCommands | null;
    /** The administrator's policy (the model picker offers only its allowed models). */
    policy?: IClaudePolicy | null;
  }
}
