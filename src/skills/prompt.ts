/*
 * The system prompt's listing of the enabled skills: each skill's name and description only
 * (progressive disclosure); Claude loads a body with use_skill when a question needs it.
 */
import type { ISkillEntry } from './tokens';

/**
 * The most the listing may take of the system prompt, in tokens (about 4 characters each).
 *
 * 4,000 tokens is 2% of a 200k context, cached after the first question, and holds about 50
 * skills at their usual description length (~300 characters). Past it, descriptions are cut
 * to fit (all skills stay named, each with the start of its description); if even the names
 * alone do not fit, the skills from the more specific sources are kept first.
 */
export const SKILL_LISTING_BUDGET_TOKENS = 4000;

/**
 * Estimated tokens of a text (4 characters a token, as the context budget estimates).
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

const HEADER =
  'Skills: folders of instructions, scripts and references written for tasks like the ones below. ' +
  'When a question matches a skill, call use_skill with its name before answering, and follow it; ' +
  'read_skill_file reads a file the skill names. A skill never approves anything: its scripts run ' +
  'only as a cell you propose (e.g. `%run <path>`), which the scientist reviews.';

/**
 * What the listing holds: the text, and how the budget was met.
 */
export interface ISkillListing {
  text: string;
  tokens: number;
  /** Skills listed. */
  listed: number;
  /** Skills whose description was shortened to fit. */
  shortened: number;
  /** Skills left out (only when even the names do not fit). */
  omitted: string[];
}

/**
 * The listing of the enabled skills within `budget` tokens.
 */
export function skillListing(
  skills: ReadonlyArray<Pick<ISkillEntry, 'name' | 'description' | 'source'>>,
  budget = SKILL_LISTING_BUDGET_TOKENS
): ISkillListing {
  if (!skills.length) {
    return { text: '', tokens: 0, listed: 0, shortened: 0, omitted: [] };
  }
  const line = (name: string, description: string) => `- ${name}: ${description.replace(/\s+/g, ' ').trim()}`;
  const render = (lines: string[]) => `<skills>\n${HEADER}\n${lines.join('\n')}\n</skills>`;
  const full = skills.map(s => line(s.name, s.description));
  let text = render(full);
  if (estimateTokens(text) <= budget) {
    return { text, tokens: estimateTokens(text), listed: skills.length, shortened: 0, omitted: [] };
  }
  // Cut every description to the same length, the longest that fits.
  const fixed = render(skills.map(s => line(s.name, ''))).length;
  const perSkill = Math.floor((budget * 4 - fixed) / skills.length) - 1;
  if (perSkill >= 40) {
    let shortened = 0;
    const cut = skills.map(s => {
      const d = s.description.replace(/\s+/g, ' ').trim();
      if (d.length <= perSkill) {
        return line(s.name, d);
      }
      shortened++;
      return line(s.name, `${d.slice(0, perSkill - 1).trimEnd()}…`);
    });
    text = render(cut);
    return { text, tokens: estimateTokens(text), listed: skills.length, shortened, omitted: [] };
  }
  // Not even a useful start of each description fits: the most specific sources first.
  const order = ['project', 'user', 'admin', 'built-in'];
  const ranked = [...skills].sort((a, b) => order.indexOf(a.source) - order.indexOf(b.source));
  const kept: string[] = [];
  const omitted: string[] = [];
  for (const s of ranked) {
    const candidate = line(s.name, s.description.slice(0, 80));
    if (estimateTokens(render([...kept, candidate])) <= budget) {
      kept.push(candidate);
    } else {
      omitted.push(s.name);
    }
  }
  const more = `(${omitted.length} more enabled skills are not listed, for length; use_skill loads any of them by name.)`;
  while (kept.length && estimateTokens(render([...kept, more])) > budget) {
    omitted.unshift(ranked[kept.length - 1].name);
    kept.pop();
  }
  text = render([
    ...kept,
    `(${omitted.length} more enabled skills are not listed, for length; use_skill loads any of them by name.)`
  ]);
  return { text, tokens: estimateTokens(text), listed: kept.length, shortened: kept.length, omitted };
}
