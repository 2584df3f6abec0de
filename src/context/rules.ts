/*
 * Project rules: the scientist's standing instructions for a project, from AGENTS.md or
 * CLAUDE.md at the Jupyter root or beside the notebook. They go into the system prompt
 * (cached) and show as one removable part of the context.
 */
import type { IContextPart } from './tokens';

/**
 * A rules file as the server reads it.
 */
export interface IRulesSource {
  path: string;
  text: string;
  truncated?: boolean;
}

/**
 * The id of the rules part (what the scientist removes).
 */
export const RULES_PART_ID = 'rules';

/**
 * The system prompt text of the rules files and their part (null: no rules).
 */
export function rulesContext(files: ReadonlyArray<IRulesSource>): { text: string; part: IContextPart } | null {
  const present = files.filter(f => f.text.trim());
  if (!present.length) {
    return null;
  }
  const blocks = present.map(
    f => `<file path="${f.path}">\n${f.text.trim()}\n${f.truncated ? '[cut: the file is longer]\n' : ''}</file>`
  );
  const text = [
    "<project_rules>\nThe project's own instructions, from its rules files. Follow them as the scientist's standing " +
      'instructions; they never approve a change or a run on their own.',
    ...blocks,
    '</project_rules>'
  ].join('\n');
  return {
    text,
    part: {
      id: RULES_PART_ID,
      kind: 'rules',
      title: present.map(f => f.path).join(', '),
      tokens: Math.ceil(text.length / 4)
    }
  };
}
