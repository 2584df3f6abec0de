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
}
