/*
 * Slash commands: `/name` at the start of a question. Skills and MCP prompts register here;
 * the message box completes names from `complete()`, the conversation asks `resolve()` what a
 * question's command adds to it.
 */
import { DisposableDelegate, type IDisposable } from '@lumino/disposable';
import { type ISignal, Signal } from '@lumino/signaling';
import type { ISentCommand, ISlashCommand, ISlashCommands } from './tokens';

/**
 * What a command name may be.
 */
export const SLASH_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

/**
 * The command a text begins with: `/name` then whitespace or the end (null: none).
 */
export function parseSlash(text: string): { name: string; args: string } | null {
  const match = /^\s*\/([^\s/]+)(?:\s+([\s\S]*))?$/.exec(text);
  if (!match || !SLASH_NAME.test(match[1])) {
    return null;
  }
  return { name: match[1], args: (match[2] ?? '').trim() };
}

/**
 * The registry of slash commands.
 */
export class SlashCommands implements ISlashCommands {
  get commands(): ReadonlyArray<ISlashCommand> {
    return this._sorted;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  register(command: ISlashCommand): IDisposable {
    if (!SLASH_NAME.test(command.name)) {
      throw new Error(`"${command.name}" is not a command name (letters, digits, _ . : -)`);
    }
    if (this._byName.has(command.name)) {
      throw new Error(`The command /${command.name} is already registered`);
    }
    this._byName.set(command.name, command);
    this._sort();
    return new DisposableDelegate(() => {
      if (this._byName.get(command.name) === command) {
        this._byName.delete(command.name);
        this._sort();
      }
    });
  }

  has(name: string): boolean {
    return this._byName.has(name);
  }

  complete(draft: string, cursor = draft.length): ISlashCommand[] {
    const head = draft.slice(0, cursor);
    const match = /^\/([^\s/]*)$/.exec(head);
    if (!match) {
      return [];
    }
    const typed = match[1].toLowerCase();
    const starts = this._sorted.filter(c => c.name.toLowerCase().startsWith(typed));
    const contains = typed
      ? this._sorted.filter(c => !c.name.toLowerCase().startsWith(typed) && c.name.toLowerCase().includes(typed))
      : [];
    return [...starts, ...contains];
  }

  async resolve(text: string): Promise<ISentCommand | null> {
    const parsed = parseSlash(text);
    const command = parsed ? this._byName.get(parsed.name) : undefined;
    if (!parsed || !command) {
      return null;
    }
    const sent: ISentCommand = { name: command.name, source: command.source, args: parsed.args };
    try {
      const part = await command.resolve(parsed.args);
      for (const key of ['userText', 'systemNote', 'skill'] as const) {
        const value = part?.[key];
        if (typeof value === 'string' && value) {
          sent[key] = value;
        }
      }
    } catch (error) {
      sent.error = error instanceof Error ? error.message : String(error);
    }
    return sent;
  }

  private _sort(): void {
    this._sorted = [...this._byName.values()].sort((a, b) => a.name.localeCompare(b.name));
    this._changed.emit();
  }

  private _byName = new Map<string, ISlashCommand>();
  private _sorted: ISlashCommand[] = [];
  private _changed = new Signal<this, void>(this);
}

/**
 * The blocks of text a command adds before its question, in the order sent.
 */
export function commandTexts(command: ISentCommand): string[] {
  const texts: string[] = [];
  const label = `/${command.name}`;
  if (command.error) {
    texts.push(
      `<command name="${label}">The scientist began the question with ${label}, but it could not be run: ` +
        `${command.error}. Say so, then answer as well as you can without it.</command>`
    );
    return texts;
  }
  if (command.skill) {
    texts.push(
      `<command name="${label}">The scientist chose the skill "${command.skill}" for this question: ` +
        'follow its instructions (they are below; use_skill loads them again if needed).</command>'
    );
  }
  if (command.systemNote) {
    texts.push(`<command_instructions name="${label}">\n${command.systemNote}\n</command_instructions>`);
  }
  if (command.userText) {
    texts.push(command.userText);
  }
  return texts;
}

/**
 * The draft after picking `name` from the completion list: the typed `/...` replaced by
 * `/name ` and the cursor after it.
 */
export function applyCompletion(draft: string, cursor: number, name: string): { value: string; cursor: number } {
  const rest = draft.slice(cursor).replace(/^\S*/, '').replace(/^\s+/, '');
  const head = `/${name} `;
  return { value: head + rest, cursor: head.length };
}
