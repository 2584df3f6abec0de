/*
 * The ledger: every hypothesis of the notebook in focus, its evidence, and its verdict after
 * a multiple-testing correction across the tests run.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type {
  CorrectionMethod,
  HypothesisStatus,
  IHypothesis,
  IHypothesisLedgerRow,
  INotebookHypotheses
} from '../hypotheses/tokens';
import { styledButton, emptyNote, statusLine } from './card';
import {
  correctionChoices,
  evidenceText,
  familyText,
  OVERRIDE_STATUSES,
  overrideText,
  statusLabel,
  verdictText
} from './hypothesisFormat';

/**
 * The hypothesis ledger of the notebook in focus.
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

  setSource(hypotheses: INotebookHypotheses | null): void {
    if (hypotheses !== this._source) {
      this._source?.correctionChanged.disconnect(this.refresh, this);
      // The correction is the notebook's: whoever changes it, the ledger shows it.
      hypotheses?.correctionChanged.connect(this.refresh, this);
    }
    this._source = hypotheses;
    this.refresh();
  }

  dispose(): void {
    this._source?.correctionChanged.disconnect(this.refresh, this);
    super.dispose();
  }

  refresh(): void {
    const t = this._trans;
    const node = this.node;
    node.textContent = '';
    const source = this._source;
    if (!source) {
      node.appendChild(emptyNote(t.__('Open a notebook to see its hypotheses.')));
      return;
    }
    const rows = source.rows();
    node.appendChild(this._renderBar(source, rows.filter(r => r.adjustedP !== null).length));
    if (!rows.length) {
      node.appendChild(emptyNote(t.__('No hypotheses yet. Ask Claude for testable hypotheses about your data.')));
      return;
    }
    const list = document.createElement('ol');
    list.className = 'jp-Claude-ledgerList';
    for (const row of rows) {
      list.appendChild(this._renderRow(source, row));
    }
    node.appendChild(list);
    node.appendChild(this._renderExport(source));
  }

  private _renderBar(source: INotebookHypotheses, tested: number): HTMLElement {
    const t = this._trans;
    const bar = document.createElement('div');
    bar.className = 'jp-Claude-ledgerBar';
    const label = document.createElement('label');
    label.textContent = t.__('Correction');
    const select = document.createElement('select');
    select.className = 'jp-mod-styled jp-Claude-ledgerMethod';
    select.setAttribute('aria-label', t.__('Multiple-testing correction'));
    for (const [value, text] of correctionChoices(t)) {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = text;
      select.appendChild(option);
    }
    select.value = source.correction;
    select.addEventListener('change', () => (source.correction = select.value as CorrectionMethod));
    const wrapper = document.createElement('div');
    wrapper.className = 'jp-select-wrapper';
    wrapper.appendChild(select);
    label.appendChild(wrapper);
    const family = document.createElement('span');
    family.className = 'jp-Claude-ledgerFamily';
    family.textContent = familyText(t, source.correction, tested);
    bar.append(label, family);
    return bar;
  }

  private _renderExport(source: INotebookHypotheses): HTMLElement {
    const t = this._trans;
    const exports = document.createElement('div');
    exports.className = 'jp-Claude-ledgerExport';
    const status = statusLine();
    exports.append(
      styledButton(t.__('Insert report cell'), '', () => {
        const id = source.insertReport(source.correction);
        status.textContent = id ? t.__('Report inserted at the end of the notebook.') : t.__('The notebook is closed.');
      }),
      styledButton(t.__('Save report as Markdown'), '', async () => {
        try {
          const path = await source.saveReport(source.correction);
          status.textContent = t.__('Saved %1', path);
        } catch (error) {
          status.textContent = t.__('Could not save: %1', (error as Error).message);
        }
      }),
      status
    );
    return exports;
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
    const badge = Private.div('jp-Claude-ledgerStatus', statusLabel(t, row.effectiveStatus), 'span');
    badge.dataset.status = row.effectiveStatus;
    head.append(badge, Private.div('jp-Claude-ledgerStatement', h.statement, 'span'));
    item.append(
      head,
      Private.div('jp-Claude-ledgerEvidence', evidenceText(t, row)),
      Private.div('jp-Claude-ledgerVerdict', verdictText(t, row))
    );
    if (h.override) {
      item.appendChild(Private.div('jp-Claude-ledgerOverride', overrideText(t, h)));
    }

    const actions = document.createElement('div');
    actions.className = 'jp-Claude-ledgerActions';
    if (h.testCellId) {
      const testCell = h.testCellId;
      actions.appendChild(
        styledButton(t.__('Go to test (%1)', this._cellLabel(testCell)), '', () => source.revealCell(testCell))
      );
      actions.appendChild(styledButton(t.__('Run test'), '', () => void source.runTest(h.id)));
    }
    actions.appendChild(styledButton(t.__('Override…'), '', () => void this._askOverride(source, h)));
    if (h.override) {
      actions.appendChild(styledButton(t.__('Clear override'), '', () => source.clearOverride(h.id)));
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
    for (const status of OVERRIDE_STATUSES) {
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
}

namespace Private {
  export function div(className: string, text: string, tag: 'div' | 'span' = 'div'): HTMLElement {
    const element = document.createElement(tag);
    element.className = className;
    element.textContent = text;
    return element;
  }
}
