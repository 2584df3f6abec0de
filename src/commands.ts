/*
 * Command ids. Shortcuts and menu entries that use them are declared in `schema/`.
 */
export namespace CommandIDs {
  /** Open the Claude panel and focus its message box. */
  export const openPanel = 'claude:open-panel';
  /** Start a new chat for the notebook in focus. */
  export const newChat = 'claude:new-chat';
  /** Stop the answer that is streaming. */
  export const stop = 'claude:stop';
  /** Put a question in the panel's message box (args: text, send). */
  export const draft = 'claude:draft';
  /** Accept the first proposal waiting in the notebook in focus. */
  export const acceptProposal = 'claude:accept-proposal';
  /** Reject the first proposal waiting in the notebook in focus. */
  export const rejectProposal = 'claude:reject-proposal';
  /** Turn a code block of an answer into a proposal (args: source, mode 'insert' | 'replace'). */
  export const proposeCode = 'claude:propose-code';
  /** Ask about the active cell (fills the message box, does not send). */
  export const askAboutCell = 'claude:ask-about-cell';
  /** Explain the active cell. */
  export const explainCell = 'claude:explain-cell';
  /** Find the cause of the active cell's error and propose a fix. */
  export const fixError = 'claude:fix-error';
  /** Propose the next cell of the analysis after the active one. */
  export const continueFromHere = 'claude:continue-from-here';
  /** Show the hypothesis ledger of the notebook in focus. */
  export const showHypotheses = 'claude:show-hypotheses';
}
