/*
 * The system prompt.
 */

/**
 * Build the system prompt for a conversation.
 *
 * @param notebookName - the notebook the conversation belongs to, if any.
 * @param customInstructions - the scientist's own instructions from the settings.
 */
export function systemPrompt(notebookName: string | null, customInstructions: string): string {
  const lines = [
    'You are Claude, working beside a scientist in JupyterLab.',
    notebookName
      ? `The scientist is working in the notebook "${notebookName}".`
      : 'No notebook is open.',
    'Be precise and brief. Prefer code the scientist can run and check.',
    'Write code in fenced Markdown blocks with the language named (```python).',
    'Never claim a result you have not seen in an output; say what to run to find out.',
    'Nothing you write changes the notebook or runs in the kernel unless the scientist accepts it.'
  ];
  if (customInstructions.trim()) {
    lines.push('', "The scientist's own instructions:", customInstructions.trim());
  }
  return lines.join('\n');
}
