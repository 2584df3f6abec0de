/*
 * Which skill is in force for each name: the more specific source wins (project over user over
 * admin over built-in); the others are kept as what it shadows.
 */
import type { ISkillEntry, ISkillInfo, SkillSource } from './tokens';

/**
 * Sources from the least to the most specific.
 */
export const SKILL_SOURCES: ReadonlyArray<SkillSource> = ['built-in', 'admin', 'user', 'project'];

/**
 * The entries for a listing: one per name, the most specific valid skill in force. A malformed
 * skill never hides a valid one of the same name; it is listed with its problems all the same.
 */
export function resolveSkills(skills: ReadonlyArray<ISkillInfo>, disabled: ReadonlyArray<string>): ISkillEntry[] {
  const rank = (s: ISkillInfo) => SKILL_SOURCES.indexOf(s.source);
  const byName = new Map<string, ISkillInfo[]>();
  for (const skill of skills) {
    const list = byName.get(skill.name) ?? [];
    list.push(skill);
    byName.set(skill.name, list);
  }
  const off = new Set(disabled);
  const entries: ISkillEntry[] = [];
  for (const [name, list] of byName) {
    const ordered = [...list].sort((a, b) => rank(b) - rank(a));
    const valid = ordered.filter(s => !s.problems.length);
    const winner = valid[0];
    if (winner) {
      entries.push({
        ...winner,
        disabled: off.has(name),
        enabled: !off.has(name),
        shadows: valid.slice(1)
      });
    }
    for (const bad of ordered.filter(s => s.problems.length)) {
      entries.push({ ...bad, disabled: off.has(name), enabled: false, shadows: [] });
    }
  }
  return entries.sort(
    (a, b) => Number(!!a.problems.length) - Number(!!b.problems.length) || a.name.localeCompare(b.name)
  );
}
