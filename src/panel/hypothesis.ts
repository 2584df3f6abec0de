/*
 * Hypothesis cards (what Claude proposes, reviewed before anything is recorded or inserted)
 * and the ledger (every hypothesis of the notebook, its evidence and the corrected verdict).
 */
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Panel, Widget } from '@lumino/widgets';
import type {
  CorrectionMethod,
  HypothesisStatus,
  IHypothesis,
  IHypothesisLedgerRow,
  IHypothesisProposal,
  INotebookHypotheses
} from '../tokens';

/**
 * How the scientist reads a status.
 */
export function statusLabel(trans: TranslationBundle, status: HypothesisStatus): string {
  switch (status) {
    case 'proposed':
      return trans.__('proposed');
    case 'accepted':
      return trans.__('awaiting test');
    case 'supported':
      return trans.__('supported');
    case 'refuted':
      return trans.__('refuted');
    case 'inconclusive':
      return trans.__('inconclusive');
    case 'not_tested':
      return trans.__('not tested');
    case 'retired':
      return trans.__('retired');
  }
}

/**
 * A p-value as people write it.
 */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) {
    return '–';
  }
  return p < 0.001 ? p.toExponential(1) : p.toFixed(p < 0.01 ? 4 : 3);
}

/**
 * A card for one proposed hypothesis.
 */
export class HypothesisCard extends Widget {
  constructor(options: HypothesisCard.IOptions) {
    super();
    this._hypotheses = options.hypotheses;
    this._trans = options.trans;
    this.addClass('jp-Claude-proposal');
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
    title.className = 'jp-Claude-proposalTitle';
    title.textContent = t.__('Hypothesis');
    const statement = document.createElement('div');
    statement.className = 'jp-Claude-hypothesisStatement';
    statement.textContent = h.statement;
    const facts = document.createElement('dl');
    facts.className = 'jp-Claude-hypothesisFacts';
    const criteria = [
      t.__('%1, α = %2, %3', h.test.method, String(h.test.alpha), h.test.alternative),
      h.test.expectedDirection === 'any'
        ? t.__('support: p ≤ α')
        : t.__('support: p ≤ α and a %1 effect', h.test.expectedDirection),
      h.test.minEffect ? t.__('of at least %1', String(h.test.minEffect)) : '',
      h.test.effectMeasure ? `(${h.test.effectMeasure})` : ''
    ]
      .filter(Boolean)
      .join(' ');
    const rows: Array<[string, string]> = [
      [t.__('Context'), h.context],
      [t.__('Variables'), h.variables.join(', ')],
      [t.__('Relationship'), h.relationship],
      ['H0', h.h0],
      ['H1', h.h1],
      [t.__('Test'), criteria],
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
    body.className = 'jp-Claude-proposalBody';
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
    this._footer.className = 'jp-Claude-proposalFooter';
    this.node.appendChild(this._footer);
  }

  private _renderFooter(p: IHypothesisProposal): void {
    const t = this._trans;
    const footer = this._footer;
    footer.textContent = '';
    const id = p.hypothesis.id;
    if (p.status === 'pending') {
      const reason = document.createElement('input');
      reason.type = 'text';
      reason.className = 'jp-Claude-rejectReason jp-mod-styled';
      reason.placeholder = t.__('Reason (optional)');
      reason.setAttribute('aria-label', t.__('Reason for rejecting'));
      footer.append(
        Private.button(t.__('Accept for testing'), 'jp-mod-accept', () => void this._hypotheses.accept(id)),
        Private.button(t.__('Accept and run test'), 'jp-mod-accept', () => void this._hypotheses.accept(id, { run: true })),
        reason,
        Private.button(t.__('Reject'), 'jp-mod-reject', () => this._hypotheses.reject(id, reason.value))
      );
      return;
    }
    const status = document.createElement('span');
    status.className = 'jp-Claude-proposalStatus';
    status.setAttribute('role', 'status');
    status.textContent =
      p.status === 'accepted'
        ? t.__('Accepted for testing: see the ledger')
        : p.status === 'rejected'
          ? p.reason
            ? t.__('Rejected: %1', p.reason)
            : t.__('Rejected')
          : t.__('Failed: %1', p.reason ?? '');
    footer.appendChild(status);
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

/**
 * The hypothesis cards of the notebook in focus.
 */
export class HypothesisArea extends Panel {
  constructor(options: { trans: TranslationBundle }) {
    super();
    this._trans = options.trans;
    this.addClass('jp-Claude-proposals');
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

/**
 * The ledger: every hypothesis of the notebook in focus, its evidence, and its verdict after
 * a multiple-testing correction across the tests run.
 */
export class HypothesisLedgerView extends Widget {
  constructor(options: { trans: TranslationBundle; cellLabel: (cellId: string) => string }) {
    super();
    this._trans = options.trans;
    this._cellLabel = options.cellLabel;
    this.addClass('jp-Claude-ledger');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', this._trans.__('Hypothesis ledger'));
  }

  get method(): CorrectionMethod {
    return this._method;
  }

  set method(method: CorrectionMethod) {
    this._method = method;
    this.refresh();
  }

  setSource(hypotheses: INotebookHypotheses | null): void {
    this._source = hypotheses;
    this.refresh();
  }

  refresh(): void {
    const t = this._trans;
    const node = this.node;
    node.textContent = '';
    const source = this._source;
    if (!source) {
      node.appendChild(Private.note(t.__('Open a notebook to see its hypotheses.')));
      return;
    }
    const rows = source.rows(this._method);
    const tested = rows.filter(r => r.adjustedP !== null).length;

    const bar = document.createElement('div');
    bar.className = 'jp-Claude-ledgerBar';
    const label = document.createElement('label');
    label.textContent = t.__('Correction');
    const select = document.createElement('select');
    select.className = 'jp-mod-styled jp-Claude-ledgerMethod';
    select.setAttribute('aria-label', t.__('Multiple-testing correction'));
    for (const [value, text] of [
      ['holm', t.__('Holm (family-wise error)')],
      ['bh', t.__('Benjamini-Hochberg (false discovery rate)')]
    ]) {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = text;
      select.appendChild(option);
    }
    select.value = this._method;
    select.addEventListener('change', () => (this.method = select.value as CorrectionMethod));
    const wrapper = document.createElement('div');
    wrapper.className = 'jp-select-wrapper';
    wrapper.appendChild(select);
    label.appendChild(wrapper);
    const family = document.createElement('span');
    family.className = 'jp-Claude-ledgerFamily';
    family.textContent = t.__(
      '%1 across the %2 tests run in this notebook',
      this._method === 'holm' ? 'Holm' : 'Benjamini-Hochberg',
      tested
    );
    bar.append(label, family);
    node.appendChild(bar);

    if (!rows.length) {
      node.appendChild(
        Private.note(t.__('No hypotheses yet. Ask Claude for testable hypotheses about your data.'))
      );
      return;
    }
    const list = document.createElement('ol');
    list.className = 'jp-Claude-ledgerList';
    for (const row of rows) {
      list.appendChild(this._renderRow(source, row));
    }
    node.appendChild(list);

    const exports = document.createElement('div');
    exports.className = 'jp-Claude-ledgerExport';
    const status = document.createElement('span');
    status.className = 'jp-Claude-proposalStatus';
    status.setAttribute('role', 'status');
    exports.append(
      Private.button(t.__('Insert report cell'), '', () => {
        const id = source.insertReport(this._method);
        status.textContent = id ? t.__('Report inserted at the end of the notebook.') : t.__('The notebook is closed.');
      }),
      Private.button(t.__('Save report as Markdown'), '', async () => {
        try {
          const path = await source.saveReport(this._method);
          status.textContent = t.__('Saved %1', path);
        } catch (error) {
          status.textContent = t.__('Could not save: %1', (error as Error).message);
        }
      }),
      status
    );
    node.appendChild(exports);
  }

  private _renderRow(source: INotebookHypotheses, row: IHypothesisLedgerRow): HTMLElement {
    const t = this._trans;
    const h = row.hypothesis;
    const item = document.createElement('li');
    item.className = 'jp-Claude-ledgerRow';
    item.dataset.hypothesisId = h.id;
    item.dataset.status = row.effectiveStatus;

    const head = document.createElement('div');
    head.className = 'jp-Claude-ledgerHead';
    const badge = document.createElement('span');
    badge.className = 'jp-Claude-ledgerStatus';
    badge.dataset.status = row.effectiveStatus;
    badge.textContent = statusLabel(t, row.effectiveStatus);
    const statement = document.createElement('span');
    statement.className = 'jp-Claude-ledgerStatement';
    statement.textContent = h.statement;
    head.append(badge, statement);
    item.appendChild(head);

    const evidence = document.createElement('div');
    evidence.className = 'jp-Claude-ledgerEvidence';
    const e = h.evidence;
    if (e?.error) {
      evidence.textContent = t.__('Test cell failed: %1', e.error);
    } else if (e) {
      const parts = [
        e.statistic !== null ? `${e.statisticName ?? t.__('statistic')} = ${Private.num(e.statistic)}` : '',
        `p = ${formatP(row.rawP)}`,
        row.adjustedP !== null ? t.__('adjusted p = %1', formatP(row.adjustedP)) : '',
        e.effectSize !== null
          ? t.__('effect %1', Private.num(e.effectSize)) +
            (e.ci ? ` [${Private.num(e.ci[0])}, ${Private.num(e.ci[1])}]` : '')
          : '',
        e.n !== null ? `n = ${e.n}` : ''
      ].filter(Boolean);
      evidence.textContent = parts.join(' · ');
    } else {
      evidence.textContent = t.__('No result yet: run the test cell.');
    }
    item.appendChild(evidence);

    const verdict = document.createElement('div');
    verdict.className = 'jp-Claude-ledgerVerdict';
    verdict.textContent = t.__(
      'On its own: %1 · after correction: %2',
      statusLabel(t, row.status),
      statusLabel(t, row.correctedStatus)
    );
    item.appendChild(verdict);
    if (h.override) {
      const override = document.createElement('div');
      override.className = 'jp-Claude-ledgerOverride';
      override.textContent = t.__('Set to %1 by the scientist: %2', statusLabel(t, h.override.status), h.override.note);
      item.appendChild(override);
    }

    const actions = document.createElement('div');
    actions.className = 'jp-Claude-ledgerActions';
    if (h.testCellId) {
      const testCell = h.testCellId;
      actions.appendChild(
        Private.button(t.__('Go to test (%1)', this._cellLabel(testCell)), '', () => source.revealCell(testCell))
      );
      actions.appendChild(Private.button(t.__('Run test'), '', () => void source.runTest(h.id)));
    }
    actions.appendChild(Private.button(t.__('Override…'), '', () => void this._askOverride(source, h)));
    if (h.override) {
      actions.appendChild(Private.button(t.__('Clear override'), '', () => source.clearOverride(h.id)));
    }
    item.appendChild(actions);
    return item;
  }

  private async _askOverride(source: INotebookHypotheses, h: IHypothesis): Promise<void> {
    const t = this._trans;
    const body = new Widget();
    body.addClass('jp-Claude-overrideDialog');
    const select = document.createElement('select');
    select.className = 'jp-mod-styled';
    select.setAttribute('aria-label', t.__('Status'));
    for (const status of ['supported', 'refuted', 'inconclusive', 'not_tested', 'retired'] as HypothesisStatus[]) {
      const option = document.createElement('option');
      option.value = status;
      option.textContent = statusLabel(t, status);
      select.appendChild(option);
    }
    select.value = h.override?.status ?? 'retired';
    const note = document.createElement('textarea');
    note.className = 'jp-mod-styled';
    note.rows = 3;
    note.placeholder = t.__('Why (kept with the record)');
    note.setAttribute('aria-label', t.__('Note'));
    note.value = h.override?.note ?? '';
    body.node.append(select, note);
    const result = await showDialog({
      title: t.__('Override the status of this hypothesis'),
      body,
      buttons: [Dialog.cancelButton({ label: t.__('Cancel') }), Dialog.okButton({ label: t.__('Override') })],
      focusNodeSelector: 'textarea'
    });
    if (result.button.accept) {
      source.override(h.id, select.value as HypothesisStatus, note.value.trim());
    }
  }

  private _trans: TranslationBundle;
  private _cellLabel: (cellId: string) => string;
  private _source: INotebookHypotheses | null = null;
  private _method: CorrectionMethod = 'holm';
}

namespace Private {
  export function button(label: string, mod: string, onClick: () => void): HTMLButtonElement {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `jp-mod-styled ${mod}`.trim();
    button.textContent = label;
    button.setAttribute('aria-label', label);
    button.addEventListener('click', onClick);
    return button;
  }

  export function note(text: string): HTMLElement {
    const div = document.createElement('div');
    div.className = 'jp-Claude-empty';
    div.textContent = text;
    return div;
  }

  export function num(value: number): string {
    if (!Number.isFinite(value)) {
      return String(value);
    }
    const abs = Math.abs(value);
    return abs !== 0 && (abs >= 1e6 || abs < 1e-3) ? value.toExponential(2) : Number(value.toPrecision(4)).toLocaleString();
  }
}
