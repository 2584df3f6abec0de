/*
 * What the panel's cards share: proposal and hypothesis cards look alike (one set of styles
 * in style/base.css), so their class names and their small controls live here once.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

/**
 * Class names used by more than one widget of the panel.
 */
export namespace CardClass {
  /** A card: a proposal or a hypothesis to review. */
  export const card = 'jp-Claude-proposal';
  /** The cards of the notebook in focus (hidden while the ledger is shown). */
  export const area = 'jp-Claude-proposals';
  export const title = 'jp-Claude-proposalTitle';
  export const body = 'jp-Claude-proposalBody';
  export const footer = 'jp-Claude-proposalFooter';
  /** What became of a card, or of a click. */
  export const status = 'jp-Claude-proposalStatus';
  export const rejectReason = 'jp-Claude-rejectReason';
  /** A line that stands where there is nothing to show yet. */
  export const empty = 'jp-Claude-empty';
}

/**
 * A styled button named by its label (`mod`: 'jp-mod-accept', 'jp-mod-reject', ... or '').
 */
export function styledButton(label: string, mod: string, onClick: () => void): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = `jp-mod-styled ${mod}`.trim();
  button.textContent = label;
  button.setAttribute('aria-label', label);
  button.addEventListener('click', onClick);
  return button;
}

/**
 * The optional reason given with Reject.
 */
export function rejectReasonInput(trans: TranslationBundle): HTMLInputElement {
  const reason = document.createElement('input');
  reason.type = 'text';
  reason.className = `${CardClass.rejectReason} jp-mod-styled`;
  reason.placeholder = trans.__('Reason (optional)');
  reason.setAttribute('aria-label', trans.__('Reason for rejecting'));
  return reason;
}

/**
 * A status line that assistive technology reads out when it changes.
 */
export function statusLine(text = ''): HTMLSpanElement {
  const status = document.createElement('span');
  status.className = CardClass.status;
  status.setAttribute('role', 'status');
  status.textContent = text;
  return status;
}

/**
 * A line saying there is nothing to show yet.
 */
export function emptyNote(text: string): HTMLElement {
  const div = document.createElement('div');
  div.className = CardClass.empty;
  div.textContent = text;
  return div;
}
