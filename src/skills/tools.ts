/*
 * The skill tools: use_skill loads a skill's instructions, read_skill_file a file it names.
 * Both read and change nothing; a skill's scripts run only as a cell Claude proposes.
 */
import type { ITool } from '../agent/tokens';
import type { ISkillCatalog } from './tokens';

/**
 * The most characters of a body one use_skill result carries (the registry bounds every result
 * to 16,000); a longer body comes in parts.
 */
export const SKILL_PART_CHARS = 14000;

/**
 * The body as Claude gets it: the instructions, and the files it may read or propose to run.
 */
export function skillBodyText(name: string, body: string, files: string[], location: string, part = 1): string {
  const listed = files.filter(f => f !== 'SKILL.md');
  const text = body.trim();
  const parts = Math.max(1, Math.ceil(text.length / SKILL_PART_CHARS));
  const n = Math.min(Math.max(1, Math.floor(part)), parts);
  const slice = text.slice((n - 1) * SKILL_PART_CHARS, n * SKILL_PART_CHARS);
  const more = n < parts ? `\n[Part ${n} of ${parts}: call use_skill with part ${n + 1} for the rest.]` : '';
  return [
    `<skill name="${name}" location="${location}"${parts > 1 ? ` part="${n}/${parts}"` : ''}>`,
    slice + more,
    '</skill>',
    listed.length
      ? `Files of this skill (read one with read_skill_file; a script runs only as a cell you propose, e.g. %run): ${listed.join(', ')}`
      : 'This skill has no other files.'
  ].join('\n');
}

/**
 * The two skill tools over a catalog.
 */
export function skillTools(catalog: ISkillCatalog): ITool[] {
  const useSkill: ITool = {
    name: 'use_skill',
    kind: 'read',
    description:
      'Load the instructions of one of the skills listed in the system prompt, by name. ' +
      'Call it before answering a question the skill is for, then follow the instructions.',
    input_schema: {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'The skill name, as listed.' },
        part: { type: 'integer', minimum: 1, description: 'For a long skill: which part (from 1).' }
      },
      required: ['name']
    },
    isAvailable: () => catalog.enabled().length > 0,
    describe: input => `Use the skill ${String(input.name ?? '')}`,
    handler: async input => {
      const name = String(input.name ?? '').trim();
      const body = await catalog.body(name);
      const entry = catalog.entries.find(e => e.name === name && e.enabled);
      const part = Number(input.part ?? 1) || 1;
      return { content: skillBodyText(name, body.body, body.files, entry?.location ?? '', part) };
    }
  };
  const readSkillFile: ITool = {
    name: 'read_skill_file',
    kind: 'read',
    description:
      "Read a text file of a skill (a reference, a template, a script's source), by the skill's name and the " +
      "file's path inside the skill's folder (e.g. references/guide.md). Only files inside that folder are read.",
    input_schema: {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'The skill name.' },
        path: { type: 'string', description: "The file's path relative to the skill's folder." }
      },
      required: ['name', 'path']
    },
    isAvailable: () => catalog.enabled().length > 0,
    describe: input => `Read ${String(input.path ?? '')} of the skill ${String(input.name ?? '')}`,
    handler: async input => {
      const file = await catalog.file(String(input.name ?? '').trim(), String(input.path ?? ''));
      const note = file.truncated
        ? `\n[The file is ${file.size.toLocaleString()} bytes; only its start was read.]`
        : '';
      return { content: `${file.text}${note}` };
    }
  };
  return [useSkill, readSkillFile];
}
