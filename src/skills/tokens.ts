/*
 * Public interfaces of skills (Agent Skills folders the server lists) and project rules, and
 * the token of the catalog. No logic lives here.
 */
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';

/**
 * Where a skill comes from, from the least to the most specific.
 */
export type SkillSource = 'built-in' | 'admin' | 'user' | 'project';

/**
 * A skill folder as the server lists it (valid or not; bodies are not listed).
 */
export interface ISkillInfo {
  name: string;
  folder: string;
  source: SkillSource;
  /** Where it is, for the scientist (`built-in`, `~/.claude/skills/x`). */
  location: string;
  description: string;
  license: string | null;
  compatibility: string | null;
  /** Recorded for display only: nothing is pre-approved by it. */
  allowed_tools: string[];
  /** What keeps it from being offered, said exactly (empty: valid). */
  problems: string[];
  /** What the specification discourages but does not forbid. */
  warnings: string[];
  /** Files of the folder, relative to it. */
  files: string[];
  /** Bytes of the whole folder. */
  size: number;
  body_chars: number;
}

/**
 * A skill as the scientist sees it: the one in force for its name, and what it shadows.
 */
export interface ISkillEntry extends ISkillInfo {
  /** Whether it is offered to Claude (valid, not shadowed, not switched off). */
  enabled: boolean;
  /** Whether the scientist switched it off. */
  disabled: boolean;
  /** Skills of the same name from less specific sources, which this one hides. */
  shadows: ISkillInfo[];
}

/**
 * What the server answers for `GET claude/skills`.
 */
export interface ISkillListing {
  skills: ISkillInfo[];
  /** Problems with the sources themselves (an unreadable manifest). */
  problems: string[];
}

/**
 * The skills on offer, and the way to their bodies and files.
 */
export interface ISkillCatalog {
  /** Every skill in force (valid first, then malformed), by name. */
  readonly entries: ReadonlyArray<ISkillEntry>;
  /** Problems with the sources, said plainly. */
  readonly problems: ReadonlyArray<string>;
  /** Emitted when the list or a switch changes. */
  readonly changed: ISignal<ISkillCatalog, void>;
  /** The skills offered to Claude. */
  enabled(): ISkillEntry[];
  /** The system prompt's listing of the enabled skills ('' for none). */
  listing(): string;
  /** List the skills again from the server. */
  refresh(): Promise<void>;
  /** Switch a skill on or off (remembered in the settings). */
  setEnabled(name: string, enabled: boolean): Promise<void>;
  /** The body of an enabled skill (its SKILL.md after the front matter); `evenIfOff` for the view. */
  body(name: string, options?: { evenIfOff?: boolean }): Promise<ISkillBody>;
  /** A file of an enabled skill, confined to its folder by the server. */
  file(name: string, path: string): Promise<ISkillFile>;
}

export interface ISkillBody {
  name: string;
  description: string;
  body: string;
  files: string[];
}

export interface ISkillFile {
  name: string;
  path: string;
  size: number;
  truncated: boolean;
  text: string;
}

/**
 * One project rules file (AGENTS.md or CLAUDE.md).
 */
export interface IRulesFile {
  path: string;
  size: number;
  truncated: boolean;
  text: string;
}

/**
 * The skill catalog token.
 */
export const ISkillCatalog = new Token<ISkillCatalog>(
  'jupyterlab-claude:ISkillCatalog',
  'The skills Claude may load (Agent Skills folders), and switching them on and off.'
);
