/*
 * The status bar item: today's tokens, against the daily limit when there is one.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { formatTokens } from '../usage/cost';
import type { IClaudePolicy } from '../usage/tokens';

/**
 * "Claude: 12k today" (or "Claude: 12k / 100k today"), with the breakdown in its tooltip.
 */
export class UsageStatus extends Widget {
  constructor(options: { policy: IClaudePolicy; trans: TranslationBundle }) {
    super();
    this._policy = options.policy;
    this._trans = options.trans;
    this.addClass('jp-Claude-usageStatus');
    this._policy.changed.connect(this.update, this);
    this.update();
  }

  protected onUpdateRequest(): void {
    const trans = this._trans;
    const today = this._policy.today;
    if (!today) {
      this.node.textContent = '';
      this.node.title = '';
      return;
    }
    this.node.textContent = today.limit
      ? trans.__('Claude: %1 / %2 today', formatTokens(today.counted), formatTokens(today.limit))
      : trans.__('Claude: %1 today', formatTokens(today.counted));
    const t = today.tokens;
    const lines = [
      trans.__(
        'Claude today: %1 in, %2 out, %3 read from cache, %4 written to cache.',
        t.input.toLocaleString(),
        t.output.toLocaleString(),
        t.cacheRead.toLocaleString(),
        t.cacheWrite.toLocaleString()
      )
    ];
    if (today.limit) {
      lines.push(
        trans.__(
          'Daily limit set by your administrator: %1 of %2 tokens used (cache reads count at their weight); resets at midnight.',
          today.counted.toLocaleString(),
          today.limit.toLocaleString()
        )
      );
    }
    this.node.title = lines.join('\n');
    this.node.classList.toggle('jp-mod-warn', !!today.limit && today.counted >= today.limit * 0.9);
  }

  private _policy: IClaudePolicy;
  private _trans: TranslationBundle;
}
