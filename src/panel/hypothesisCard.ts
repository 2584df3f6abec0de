/*
 * A card for a hypothesis Claude proposes: reviewed before anything is recorded or inserted.
 */
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { IHypothesis, IHypothesisProposal, INotebookHypotheses } from '../hypotheses/tokens';
import { CardClass, styledButton, rejectReasonInput, statusLine } from './card';
import { testCriteria } from './hypothesisFormat';

/**
 * A card for one proposed hypothesis.
 */
export class HypothesisCard extends Widget {
  constructor(options: HypothesisCard.IOptions) {
    super();
    this._hypotheses = options.hypotheses;
    this._trans = options.trans;
    this.addClass(CardClass.card);
    this.addClass('jp-Claude-hypothesisCard');
    this.node.setAttribute('role', 'group');
    this.render(options.proposal);
  }

  render(proposal: IHypothesisProposal): void {
    const first = !this._proposal;
    const changed = this._proposal?.status !== proposal.status;
    this._proposal = proposal;
    this.node.dataset.status = proposal.status;
    this.node.setAttribute('aria-label', this._trans.__('Hypothesis: %1', proposal.hypothesis.statement));
    if (first) {
      this._build(proposal.hypothesis);
    }
    if (first || changed) {
      this._renderFooter(proposal);
    }
  }

  dispose(): void {
    this._editor?.destroy();
    super.dispose();
  }

  private _build(h: IHypothesis): void {
    const t = this._trans;
    const title = document.createElement('div');
    title.className = CardClass.title;
    title.textContent = t.__('Hypothesis');
    const statement = document.createElement('div');
    statement.className = 'jp-Claude-hypothesisStatement';
    statement.textContent = h.statement;
    const facts = document.createElement('dl');
    facts.className = 'jp-Claude-hypothesisFacts';
    const rows: Array<[string, string]> = [
      [t.__('Context'), h.context],
      [t.__('Variables'), h.variables.join(', ')],
      [t.__('Relationship'), h.relationship],
      ['H0', h.h0],
      ['H1', h.h1],
      [t.__('Test'), testCriteria(t, h)],
      [t.__('Rationale'), h.rationale],
      [t.__('Assumptions'), h.assumptions.join('; ')]
    ];
    for (const [term, value] of rows) {
      if (!value) {
        continue;
      }
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = value;
      facts.append(dt, dd);
    }
    const body = document.createElement('div');
    body.className = CardClass.body;
    this.node.append(title, statement, facts, body);
    this._editor = new EditorView({
      doc: h.test.code,
      extensions: [
        EditorView.lineWrapping,
        EditorView.editable.of(false),
        EditorState.readOnly.of(true),
        EditorView.contentAttributes.of({ 'aria-label': t.__('Test code') })
      ],
      parent: body
    });
    this._footer.className = CardClass.footer;
    this.node.appendChild(this._footer);
  }

  private _renderFooter(p: IHypothesisProposal): void {
    const t = this._trans;
    const footer = this._footer;
    footer.textContent = '';
    const id = p.hypothesis.id;
    if (p.status === 'pending') {
      const reason = rejectReasonInput(t);
      footer.append(
        styledButton(t.__('Accept for testing'), 'jp-mod-accept', () => void this._hypotheses.accept(id)),
        styledButton(
          t.__('Accept and run test'),
          'jp-mod-accept',
          () => void this._hypotheses.accept(id, { run: true })
        ),
        reason,
        styledButton(t.__('Reject'), 'jp-mod-reject', () => this._hypotheses.reject(id, reason.value))
      );
      return;
    }
    footer.appendChild(
      statusLine(
        p.status === 'accepted'
          ? t.__('Accepted for testing: see the ledger')
          : p.status === 'rejected'
            ? p.reason
              ? t.__('Rejected: %1', p.reason)
              : t.__('Rejected')
            : t.__('Failed: %1', p.reason ?? '')
      )
    );
  }

  private _hypotheses: INotebookHypotheses;
  private _trans: TranslationBundle;
  private _proposal: IHypothesisProposal | null = null;
  private _editor: EditorView | null = null;
  private _footer = document.createElement('div');
}

export namespace HypothesisCard {
  export interface IOptions {
    proposal: IHypothesisProposal;
    hypotheses: INotebookHypotheses;
    trans: TranslationBundle;
  }
}
