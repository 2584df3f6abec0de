/*
 * The skill catalog: what the server lists, which skill is in force for each name, the
 * scientist's switches (kept in the settings), and the bodies and files Claude asks for.
 */
import { type ISignal, Signal } from '@lumino/signaling';
import { resolveSkills } from './precedence';
import { skillListing } from './prompt';
import type { ISkillBody, ISkillCatalog, ISkillEntry, ISkillFile, ISkillListing } from './tokens';

/**
 * GET a `claude/skills...` route (the plugin passes `requestAPI` bound to the server).
 */
export type SkillsFetch = <T>(route: string, query?: Record<string, string>) => Promise<T>;

/**
 * The skills on offer.
 */
export class SkillCatalog implements ISkillCatalog {
  constructor(options: SkillCatalog.IOptions) {
    this._fetch = options.fetch;
    this._saveDisabled = options.saveDisabled ?? null;
  }

  get entries(): ReadonlyArray<ISkillEntry> {
    return this._entries;
  }

  get problems(): ReadonlyArray<string> {
    return this._problems;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  enabled(): ISkillEntry[] {
    return this._entries.filter(e => e.enabled);
  }

  listing(): string {
    return this._listing;
  }

  async refresh(): Promise<void> {
    const listing = await this._fetch<ISkillListing>('skills');
    this._listed = listing;
    this._update();
  }

  /**
   * Apply the names switched off (from the settings).
   */
  setDisabled(names: ReadonlyArray<string>): void {
    const same = names.length === this._disabled.length && names.every(n => this._disabled.includes(n));
    if (!same) {
      this._disabled = [...names];
      this._update();
    }
  }

  async setEnabled(name: string, enabled: boolean): Promise<void> {
    const next = enabled ? this._disabled.filter(n => n !== name) : [...new Set([...this._disabled, name])];
    this.setDisabled(next);
    await this._saveDisabled?.(next);
  }

  async body(name: string, options: { evenIfOff?: boolean } = {}): Promise<ISkillBody> {
    const entry = this._enabledEntry(name, options.evenIfOff);
    const key = `${entry.source}:${name}`;
    let body = this._bodies.get(key);
    if (!body) {
      body = this._fetch<ISkillBody>('skills/body', { source: entry.source, name });
      this._bodies.set(key, body);
      body.catch(() => this._bodies.delete(key));
    }
    return body;
  }

  async file(name: string, path: string): Promise<ISkillFile> {
    const entry = this._enabledEntry(name);
    return this._fetch<ISkillFile>('skills/file', { source: entry.source, name, path });
  }

  private _enabledEntry(name: string, evenIfOff = false): ISkillEntry {
    const entry = this._entries.find(e => e.name === name && !e.problems.length);
    if (!entry) {
      const known = this.enabled().map(e => e.name);
      throw new Error(
        `There is no skill named "${name}". ` +
          (known.length ? `The enabled skills are: ${known.join(', ')}.` : 'No skills are enabled.')
      );
    }
    if (!entry.enabled && !evenIfOff) {
      throw new Error(`The skill "${name}" is switched off by the scientist.`);
    }
    return entry;
  }

  private _update(): void {
    this._entries = resolveSkills(this._listed.skills, this._disabled);
    this._problems = this._listed.problems;
    this._listing = skillListing(this.enabled()).text;
    // A body read before may have changed on disk: read it again when next asked.
    this._bodies.clear();
    this._changed.emit();
  }

  private _fetch: SkillsFetch;
  private _saveDisabled: ((names: string[]) => Promise<void>) | null;
  private _listed: ISkillListing = { skills: [], problems: [] };
  private _entries: ISkillEntry[] = [];
  private _problems: ReadonlyArray<string> = [];
  private _disabled: string[] = [];
  private _listing = '';
  private _bodies = new Map<string, Promise<ISkillBody>>();
  private _changed = new Signal<this, void>(this);
}

export namespace SkillCatalog {
  export interface IOptions {
    fetch: SkillsFetch;
    /** Remember the names switched off (the settings). */
    saveDisabled?: (names: string[]) => Promise<void>;
  }
}
