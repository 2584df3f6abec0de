/*
 * Under the chat: what the administrator set, and this conversation's tokens and cost.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { DEFAULT_CONTEXT_WINDOW } from '../claude/contextWindow';
import type { IConversation, IConversationRegistry } from '../claude/tokens';
import { conversationUsage, formatTokens, formatUSD } from '../usage/cost';
import type { IClaudePolicy, ICostEstimate, ITokenCounts } from '../usage/tokens';

/**
 * The policy note ("set by your administrator") and the usage line of the conversation in focus.
 */
export class UsageArea extends Widget {
  constructor(options: UsageArea.IOptions) {
    super();
    this._policy = options.policy;
    this._registry = options.registry;
    this._trans = options.trans;
    this.addClass('jp-Claude-usageArea');
    this._note.className = 'jp-Claude-policyNote';
    this._usage.className = 'jp-Claude-usageLine';
    this._usage.setAttribute('aria-live', 'polite');
    this._gauge.className = 'jp-Claude-contextGauge';
    this._meter.max = 1;
    this._gauge.append(this._meter, this._gaugeText);
    this.node.append(this._note, this._gauge, this._usage);
    this._policy.changed.connect(this.update, this);
    this._registry.currentChanged.connect(this._follow, this);
    this._follow();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._conversation?.changed.disconnect(this.update, this);
    super.dispose();
  }

  protected onUpdateRequest(): void {
    this._renderNote();
    this._renderGauge();
    this._renderUsage();
  }

  /**
   * How much of the context window the conversation's last request used, and whether old tool
   * results were cleared to stay within it.
   */
  private _renderGauge(): void {
    const trans = this._trans;
    const turns = this._conversation?.turns ?? [];
    const last = [...turns].reverse().find(t => t.role === 'assistant' && t.contextTokens);
    const cleared = [...turns].reverse().find(t => t.clearedToolResults)?.clearedToolResults ?? 0;
    if (!last?.contextTokens) {
      this._gauge.hidden = true;
      return;
    }
    const share = Math.min(1, last.contextTokens / DEFAULT_CONTEXT_WINDOW);
    this._meter.value = share;
    this._gauge.hidden = false;
    this._gauge.dataset.share = share.toFixed(3);
    const text = trans.__(
      'Context: %1 of %2 tokens (%3%)',
      formatTokens(last.contextTokens),
      formatTokens(DEFAULT_CONTEXT_WINDOW),
      Math.round(share * 100)
    );
    this._gaugeText.textContent = cleared
      ? trans.__('%1 · the %2 oldest tool results were cleared to make room (the transcript keeps them)', text, cleared)
      : text;
    this._gauge.title = trans.__("How much of the model's context window the last request of this chat used");
  }

  private _follow(): void {
    this._conversation?.changed.disconnect(this.update, this);
    this._conversation = this._registry.current;
    this._conversation.changed.connect(this.update, this);
    this.update();
  }

  private _renderNote(): void {
    const trans = this._trans;
    const { policy } = this._policy;
    const parts: string[] = [];
    if (this._policy.isManaged('allowed_models') && policy.allowedModels.length) {
      parts.push(trans.__('models: %1', policy.allowedModels.join(', ')));
    }
    if (this._policy.isManaged('max_tokens') && policy.maxTokens) {
      parts.push(trans.__('at most %1 tokens per answer', policy.maxTokens.toLocaleString()));
    }
    if (this._policy.isManaged('daily_token_limit') && policy.dailyTokenLimit) {
      parts.push(trans.__('%1 tokens a day', policy.dailyTokenLimit.toLocaleString()));
    }
    if (this._policy.isManaged('disabled_tools') && policy.disabledTools.length) {
      parts.push(trans.__('turned off: %1', policy.disabledTools.map(t => UsageArea.toolLabel(t, trans)).join(', ')));
    }
    const lines = parts.length ? [trans.__('Set by your administrator: %1.', parts.join('; '))] : [];
    if (policy.audit) {
      lines.push(
        policy.auditContents
          ? trans.__('This server keeps an audit log of your requests, with their text.')
          : trans.__('This server keeps an audit log of your requests (tokens and tools, not their text).')
      );
    }
    this._note.textContent = lines.join(' ');
    this._note.hidden = !lines.length;
  }

  private _renderUsage(): void {
    const trans = this._trans;
    const usage = conversationUsage(this._conversation?.turns ?? [], model => this._policy.priceFor(model));
    const parts: string[] = [];
    if (usage.last) {
      parts.push(trans.__('Last answer: %1', this._describe(usage.last.tokens, usage.last.cost)));
      parts.push(trans.__('This chat: %1', this._describe(usage.tokens, usage.cost)));
    }
    const today = this._policy.today;
    if (today && today.limit) {
      parts.push(
        trans.__(
          'Today: %1 of %2 tokens (resets at midnight)',
          today.counted.toLocaleString(),
          today.limit.toLocaleString()
        )
      );
    }
    this._usage.textContent = parts.join(' · ');
    this._usage.title = usage.last
      ? trans.__(
          'This chat: %1 in, %2 out, %3 read from cache, %4 written to cache. Cost is estimated from a price table (US dollars).',
          usage.tokens.input.toLocaleString(),
          usage.tokens.output.toLocaleString(),
          usage.tokens.cacheRead.toLocaleString(),
          usage.tokens.cacheWrite.toLocaleString()
        )
      : '';
    this._usage.hidden = !parts.length;
    this.node.classList.toggle('jp-mod-empty', this._note.hidden && this._usage.hidden && this._gauge.hidden);
  }

  private _describe(tokens: ITokenCounts, cost: ICostEstimate): string {
    const trans = this._trans;
    const counts = trans.__(
      '%1 in, %2 out, %3 cache read, %4 cache write',
      formatTokens(tokens.input),
      formatTokens(tokens.output),
      formatTokens(tokens.cacheRead),
      formatTokens(tokens.cacheWrite)
    );
    if (cost.unpriced.length && cost.usd === 0) {
      return trans.__('%1, no price for %2', counts, cost.unpriced.join(', '));
    }
    return trans.__('%1, ≈ %2', counts, formatUSD(cost.usd));
  }

  private _policy: IClaudePolicy;
  private _registry: IConversationRegistry;
  private _trans: TranslationBundle;
  private _conversation: IConversation | null = null;
  private _note = document.createElement('div');
  private _usage = document.createElement('div');
  private _gauge = document.createElement('div');
  private _meter = document.createElement('meter');
  private _gaugeText = document.createElement('span');
}

export namespace UsageArea {
  export interface IOptions {
    policy: IClaudePolicy;
    registry: IConversationRegistry;
    trans: TranslationBundle;
  }

  /**
   * A `disabled_tools` entry in words: a group's name, or the tool's own.
   */
  export function toolLabel(entry: string, trans: TranslationBundle): string {
    switch (entry) {
      case 'files':
        return trans.__('file tools');
      case 'edits':
        return trans.__('proposed edits');
      case 'run':
        return trans.__('running cells');
      case 'mcp':
        return trans.__('MCP servers');
      default:
        return entry;
    }
  }
}
