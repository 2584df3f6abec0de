/*
 * The hypothesis cards of the notebook in focus.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Panel } from '@lumino/widgets';
import type { INotebookHypotheses } from '../hypotheses/tokens';
import { CardClass } from './card';
import { HypothesisCard } from './hypothesisCard';

/**
 * The hypotheses Claude proposed in the notebook in focus, one card each.
 */
export class HypothesisArea extends Panel {
  constructor(options: { trans: TranslationBundle }) {
    super();
    this._trans = options.trans;
    this.addClass(CardClass.area);
    this.addClass('jp-Claude-hypothesisArea');
    this.node.setAttribute('aria-label', this._trans.__('Proposed hypotheses'));
  }

  setSource(hypotheses: INotebookHypotheses | null): void {
    if (hypotheses === this._source) {
      this.refresh();
      return;
    }
    this._source = hypotheses;
    for (const card of this._cards.values()) {
      card.dispose();
    }
    this._cards.clear();
    this.refresh();
  }

  refresh(): void {
    const proposals = this._source?.proposals ?? [];
    for (const p of proposals) {
      const card = this._cards.get(p.hypothesis.id);
      if (card) {
        card.render(p);
      } else {
        const created = new HypothesisCard({ proposal: p, hypotheses: this._source!, trans: this._trans });
        this._cards.set(p.hypothesis.id, created);
        this.addWidget(created);
      }
    }
    this.node.classList.toggle('jp-mod-empty', proposals.length === 0);
  }

  private _trans: TranslationBundle;
  private _source: INotebookHypotheses | null = null;
  private _cards = new Map<string, HypothesisCard>();
}
