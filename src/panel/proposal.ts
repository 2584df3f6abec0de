/*
 * A proposal card: what Claude wants to change, shown before anything changes. A replacement
 * is a diff (@codemirror/merge); an insertion is the new cell, editable before it lands.
 */
import { EditorState, StateEffect } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Panel, Widget } from '@lumino/widgets';
import type { IProposal, IProposalQueue } from '../proposals/tokens';
import { CardClass, styledButton, rejectReasonInput, statusLine } from './card';

/**
 * A card for one proposal. It renders the proposal it is given and calls the queue's actions.
 */
export class ProposalCard extends Widget {
  constructor(options: ProposalCard.IOptions) {
    super();
    this._queue = options.queue;
    this._trans = options.trans;
    this._cellLabel = options.cellLabel;
    this.addClass(CardClass.card);
    this.node.setAttribute('role', 'group');
    this.render(options.proposal);
  }

  get proposalId(): string {
    return this._proposal!.id;
  }

  /**
   * The source as the scientist left it in the editor.
   */
  get source(): string {
    return this._editor ? this._editor.state.doc.toString() : this._proposal!.source;
  }

  render(proposal: IProposal): void {
    const first = !this._proposal;
    const statusChanged = this._proposal?.status !== proposal.status;
    this._proposal = proposal;
    this.node.dataset.status = proposal.status;
    this.node.dataset.kind = proposal.kind;
    if (proposal.appliedBy) {
      // Applied by the conversation's permission mode, not by a click.
      this.node.dataset.appliedBy = proposal.appliedBy;
    }
    this.node.setAttribute('aria-label', this._title(proposal));
    if (first) {
      this._build(proposal);
    }
    if (first || statusChanged || proposal.status === 'accepted') {
      this._renderFooter(proposal);
    }
    this._editor?.dispatch({ effects: [] });
    if (this._editor && proposal.status !== 'pending') {
      this._editor.contentDOM.setAttribute('contenteditable', 'false');
    }
  }

  dispose(): void {
    this._editor?.destroy();
    super.dispose();
  }

  private _title(p: IProposal): string {
    const cell = p.cellId ? this._cellLabel(p.cellId) : '';
    switch (p.kind) {
      case 'insert':
        return p.cellId
          ? this._trans.__('Insert a %1 cell after %2', p.cellType, cell)
          : this._trans.__('Insert a %1 cell at the top', p.cellType);
      case 'replace':
        return this._trans.__('Change %1', cell);
      case 'delete':
        return this._trans.__('Delete %1', cell);
      case 'run':
        return this._trans.__('Run %1', cell);
    }
  }

  private _build(p: IProposal): void {
    const title = document.createElement('div');
    title.className = CardClass.title;
    title.textContent = this._title(p);
    this.node.appendChild(title);
    const body = document.createElement('div');
    body.className = CardClass.body;
    this.node.appendChild(body);
    const editable = p.status === 'pending' && (p.kind === 'insert' || p.kind === 'replace');
    const extensions = [
      EditorView.lineWrapping,
      EditorView.editable.of(editable),
      EditorState.readOnly.of(!editable),
      EditorView.contentAttributes.of({ 'aria-label': this._trans.__('Proposed source') })
    ];
    const doc = p.kind === 'insert' || p.kind === 'replace' ? p.source : (p.originalSource ?? '');
    const editor = new EditorView({ doc, extensions, parent: body });
    this._editor = editor;
    if (p.kind === 'replace') {
      // The diff against the cell as Claude saw it; the scientist can edit the new side. The
      // diff view loads with the first replacement card, not at start-up.
      void Private.loadMerge().then(({ unifiedMergeView }) => {
        if (this._editor === editor) {
          editor.dispatch({
            effects: StateEffect.appendConfig.of(
              unifiedMergeView({ original: p.originalSource ?? '', mergeControls: false, gutter: true })
            )
          });
          body.classList.add('jp-mod-diff');
        }
      });
    }
    body.classList.toggle('jp-mod-deleted', p.kind === 'delete');
    this._footer.className = CardClass.footer;
    this.node.appendChild(this._footer);
  }

  private _renderFooter(p: IProposal): void {
    const footer = this._footer;
    footer.textContent = '';
    if (p.status === 'pending') {
      const runnable = p.cellType === 'code' && (p.kind === 'insert' || p.kind === 'replace');
      footer.append(
        styledButton(
          p.kind === 'run' ? this._trans.__('Run') : this._trans.__('Accept'),
          'jp-mod-accept',
          () => void this._queue.accept(p.id, { source: this.source })
        )
      );
      if (runnable) {
        footer.append(
          styledButton(
            this._trans.__('Accept and run'),
            'jp-mod-accept',
            () => void this._queue.accept(p.id, { source: this.source, run: true })
          )
        );
      }
      if (p.asksBecause) {
        const why = statusLine();
        why.textContent = this._trans.__('Asks because %1.', p.asksBecause);
        footer.append(why);
      }
      const reason = rejectReasonInput(this._trans);
      footer.append(
        reason,
        styledButton(this._trans.__('Reject'), 'jp-mod-reject', () => this._queue.reject(p.id, reason.value))
      );
      return;
    }
    const status = statusLine();
    const edited = p.edited ? this._trans.__(' (edited)') : '';
    status.textContent =
      p.status === 'accepted' && p.appliedBy
        ? p.appliedBy === 'acceptEdits'
          ? this._trans.__('Applied without asking (Accept edits)')
          : this._trans.__('Applied without asking (Run in this notebook)')
        : p.status === 'accepted'
          ? this._trans.__('Accepted%1', edited)
          : p.status === 'rejected'
            ? p.reason
              ? this._trans.__('Rejected: %1', p.reason)
              : this._trans.__('Rejected')
            : p.status === 'stale'
              ? this._trans.__('Not applied: %1', p.reason ?? '')
              : this._trans.__('Failed: %1', p.reason ?? '');
    footer.appendChild(status);
    if (p.status === 'accepted' && p.kind !== 'run' && this._queue.canUndo(p.id)) {
      footer.appendChild(
        styledButton(this._trans.__('Undo'), 'jp-mod-warn', () => {
          const why = this._queue.undo(p.id);
          if (why) {
            status.textContent = this._trans.__('Cannot undo: %1', why);
          }
        })
      );
    } else if (p.status === 'accepted' && p.kind !== 'run') {
      const undone = document.createElement('span');
      undone.className = CardClass.status;
      undone.textContent = this._trans.__(' · undone or changed since');
      footer.appendChild(undone);
    }
  }

  private _queue: IProposalQueue;
  private _trans: TranslationBundle;
  private _cellLabel: (cellId: string) => string;
  private _proposal: IProposal | null = null;
  private _editor: EditorView | null = null;
  private _footer = document.createElement('div');
}

export namespace ProposalCard {
  export interface IOptions {
    proposal: IProposal;
    queue: IProposalQueue;
    trans: TranslationBundle;
    /** How the notebook names a cell ("cell #3"). */
    cellLabel: (cellId: string) => string;
  }
}

/**
 * The cards of the notebook in focus: pending ones first, decided ones kept for undo.
 */
export class ProposalArea extends Panel {
  constructor(options: { trans: TranslationBundle; cellLabel: (cellId: string) => string }) {
    super();
    this._trans = options.trans;
    this._cellLabel = options.cellLabel;
    this.addClass(CardClass.area);
    this.node.setAttribute('aria-label', this._trans.__('Proposals'));
    this._bulk.addClass('jp-Claude-proposalBulk');
    this._bulk.hide();
    this.addWidget(this._bulk);
    this._checkpointBar.addClass('jp-Claude-checkpoint');
    this._checkpointBar.hide();
    this.addWidget(this._checkpointBar);
  }

  setQueue(queue: IProposalQueue | null): void {
    if (queue === this._queue) {
      return;
    }
    this._queue?.changed.disconnect(this.refresh, this);
    this._queue = queue;
    queue?.changed.connect(this.refresh, this);
    for (const card of this._cards.values()) {
      card.dispose();
    }
    this._cards.clear();
    this.refresh();
  }

  refresh(): void {
    const queue = this._queue;
    const proposals = queue ? queue.proposals : [];
    this._renderBulk(
      queue,
      proposals.filter(p => p.status === 'pending')
    );
    this._renderCheckpoint(queue);
    for (const p of proposals) {
      let card = this._cards.get(p.id);
      if (!card) {
        card = new ProposalCard({ proposal: p, queue: queue!, trans: this._trans, cellLabel: this._cellLabel });
        this._cards.set(p.id, card);
        this.addWidget(card);
      } else {
        card.render(p);
      }
    }
    this.node.classList.toggle('jp-mod-empty', proposals.length === 0);
  }

  /**
   * The checkpoint taken before changes made without asking, and the one click that brings
   * the whole notebook back to it (the cards stay, as the history of what happened).
   */
  private _renderCheckpoint(queue: IProposalQueue | null): void {
    const checkpoint = queue?.checkpoint ?? null;
    const bar = this._checkpointBar.node;
    if (!queue || !checkpoint || !queue.restoreCheckpoint) {
      this._checkpointBar.hide();
      return;
    }
    if (bar.dataset.id === checkpoint.id && bar.dataset.restored === (checkpoint.restoredAt ?? '')) {
      return;
    }
    bar.dataset.id = checkpoint.id;
    bar.dataset.restored = checkpoint.restoredAt ?? '';
    bar.textContent = '';
    const time = new Date(checkpoint.takenAt);
    const label = document.createElement('span');
    label.className = CardClass.status;
    const when = Number.isNaN(time.getTime()) ? checkpoint.takenAt : time.toLocaleTimeString();
    label.textContent = checkpoint.restoredAt
      ? this._trans.__('The notebook was restored to its checkpoint of %1.', when)
      : this._trans.__('Checkpoint of the notebook at %1, before changes made without asking.', when);
    const restore = styledButton(this._trans.__('Restore checkpoint'), 'jp-mod-warn', async () => {
      restore.disabled = true;
      const why = await queue.restoreCheckpoint!();
      restore.disabled = false;
      if (why) {
        label.textContent = this._trans.__('Could not restore the checkpoint: %1', why);
      }
    });
    restore.title = this._trans.__('Bring back the whole notebook as it was at the checkpoint');
    bar.append(label, restore);
    this._checkpointBar.show();
  }

  private _renderBulk(queue: IProposalQueue | null, pending: IProposal[]): void {
    const bar = this._bulk.node;
    bar.textContent = '';
    if (!queue || pending.length < 2) {
      this._bulk.hide();
      return;
    }
    this._bulk.show();
    const label = document.createElement('span');
    label.textContent = this._trans.__('%1 proposals waiting', pending.length);
    const acceptAll = document.createElement('button');
    acceptAll.type = 'button';
    acceptAll.className = 'jp-mod-styled jp-mod-accept';
    acceptAll.textContent = this._trans.__('Accept all');
    acceptAll.addEventListener('click', async () => {
      for (const p of pending) {
        const card = this._cards.get(p.id);
        await queue.accept(p.id, { source: card?.source });
      }
    });
    const rejectAll = document.createElement('button');
    rejectAll.type = 'button';
    rejectAll.className = 'jp-mod-styled jp-mod-reject';
    rejectAll.textContent = this._trans.__('Reject all');
    rejectAll.addEventListener('click', () => pending.forEach(p => queue.reject(p.id)));
    bar.append(label, acceptAll, rejectAll);
  }

  dispose(): void {
    this._queue?.changed.disconnect(this.refresh, this);
    for (const card of this._cards.values()) {
      card.dispose();
    }
    super.dispose();
  }

  private _trans: TranslationBundle;
  private _cellLabel: (cellId: string) => string;
  private _queue: IProposalQueue | null = null;
  private _cards = new Map<string, ProposalCard>();
  private _bulk = new Widget();
  private _checkpointBar = new Widget();
}

namespace Private {
  let merge: Promise<typeof import('@codemirror/merge')> | null = null;

  /**
   * Load @codemirror/merge once (a failed load is tried again by the next card).
   */
  export function loadMerge(): Promise<typeof import('@codemirror/merge')> {
    if (!merge) {
      merge = import(/* webpackChunkName: "codemirror-merge" */ '@codemirror/merge');
      merge.catch(() => {
        merge = null;
      });
    }
    return merge;
  }
}
