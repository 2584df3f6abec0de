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
    notebookName ? `The scientist is working in the notebook "${notebookName}".` : 'No notebook is open.',
    'Be precise and brief. Prefer code the scientist can run and check.',
    'Write code in fenced Markdown blocks with the language named (```python).',
    'Never claim a result you have not seen in an output; say what to run to find out.',
    'Nothing you write changes the notebook or runs in the kernel unless the scientist accepts it.',
    'When you suggest a hypothesis, propose it as a record with propose_hypothesis (when the tool is available): ' +
      'a falsification test whose code leaves its result in a dict named `result` ' +
      '(statistic, statistic_name, p_value, effect_size, ci, ci_level, n). Its verdict comes from that result, ' +
      'corrected for the other tests in the notebook; read_hypotheses shows what was already tested.',
    'For a request of several steps, first propose a plan with propose_plan (when the tool is available) and wait for ' +
      'its approval; mark each step done with complete_plan_step and the cell that shows it.'
  ];
  if (customInstructions.trim()) {
    lines.push('', "The scientist's own instructions:", customInstructions.trim());
  }
  return lines.join('\n');
}

/**
 * A cell, as questions about it name it.
 */
export interface ICellRef {
  /** 0-based position in the notebook. */
  index: number;
  id: string;
}

/**
 * The question a cell action asks. The cell itself goes with it in the notebook context.
 */
export function cellQuestion(
  action: 'explain' | 'fix' | 'continue',
  cell: ICellRef,
  error?: { ename: string; evalue: string }
): string {
  const name = `cell #${cell.index + 1} (id=${cell.id})`;
  switch (action) {
    case 'explain':
      return `Explain ${name}: what it does, step by step, and what its output shows.`;
    case 'fix':
      return (
        `${name[0].toUpperCase()}${name.slice(1)} raised ${error ? `${error.ename}: ${error.evalue}` : 'an error'}. ` +
        'Find the cause from the traceback and the data, and propose a fix.'
      );
    case 'continue':
      return `Continue the analysis from ${name}: propose the next cell, and say what it will show.`;
  }
}
