/*
 * Permission modes: what a conversation lets Claude do without a click. The registry asks
 * `offersInMode` which tools a mode offers, and the proposal queue asks `appliesWithoutAsking`
 * which proposals apply at once; nothing else decides.
 *
 * - ask: every change and every run waits for the scientist (the default).
 * - acceptEdits: insertions and replacements apply at once, with provenance and undo; runs ask.
 * - plan: only read tools (and propose_plan) are offered: Claude reads and plans.
 * - runInNotebook: edits apply and cells run without asking, for this conversation only.
 *
 * In every mode, deleting a cell asks, external (MCP) tools ask, and a run asks when its code
 * reaches outside the notebook (network, processes, the shell, files written) or when content
 * from outside the notebook (a file, an MCP result) has entered the task.
 */
import { Signal } from '@lumino/signaling';
import type { IPermissionModes, ITool, PermissionMode } from './tokens';

export type { PermissionMode } from './tokens';

/**
 * Every mode, in the order the panel lists them.
 */
export const PERMISSION_MODES: ReadonlyArray<PermissionMode> = ['ask', 'acceptEdits', 'plan', 'runInNotebook'];

/**
 * The tool Claude proposes a plan with: offered in every mode, Plan included.
 */
export const PLAN_TOOL_NAME = 'propose_plan';

/**
 * Tools whose results come from outside the notebook (besides external tools): once one has
 * answered in a task, runs ask again whatever the mode.
 */
export const OUTSIDE_READ_TOOLS: ReadonlyArray<string> = ['list_files', 'read_file_head'];

/**
 * Whether a mode offers a tool at all (the registry also checks the tool's own needs).
 */
export function offersInMode(mode: PermissionMode, tool: Pick<ITool, 'name' | 'kind'>): boolean {
  if (mode === 'plan') {
    return tool.kind === 'read' || tool.name === PLAN_TOOL_NAME;
  }
  return true;
}

/**
 * What a proposal is, for deciding whether it may apply without asking.
 */
export interface IProposalFacts {
  kind: 'insert' | 'replace' | 'delete' | 'run';
  /** The code a run would execute (the cell's source), or that an insert/replace writes. */
  source: string;
  /** Whether content from outside the notebook has entered this task. */
  outsideContent: boolean;
}

/**
 * Whether a proposal applies at once in a mode; the reason it asks otherwise ('' when it applies).
 */
export function appliesWithoutAsking(
  mode: PermissionMode,
  facts: IProposalFacts
): { applies: boolean; reason: string } {
  const ask = (reason: string) => ({ applies: false, reason });
  if (mode === 'ask' || mode === 'plan') {
    return ask('');
  }
  if (facts.kind === 'delete') {
    return ask('deleting a cell always asks');
  }
  if (facts.kind === 'insert' || facts.kind === 'replace') {
    return { applies: true, reason: '' };
  }
  // A run.
  if (mode !== 'runInNotebook') {
    return ask('');
  }
  if (facts.outsideContent) {
    return ask('content from outside the notebook entered this task');
  }
  const outside = reachesOutside(facts.source);
  if (outside) {
    return ask(`the code ${outside}`);
  }
  return { applies: true, reason: '' };
}

/**
 * What in a cell's code reaches outside the notebook (`''`: nothing seen). A conservative
 * reading of the source, not a sandbox: it errs towards asking.
 */
export function reachesOutside(source: string): string {
  for (const [pattern, what] of Private.OUTSIDE) {
    if (pattern.test(source)) {
      return what;
    }
  }
  return '';
}

/**
 * The modes on offer: all but those the administrator turned off ('ask' always stays).
 */
export function allowedModes(disabled: ReadonlyArray<string>): PermissionMode[] {
  return PERMISSION_MODES.filter(mode => mode === 'ask' || !disabled.includes(mode));
}

/**
 * Read a mode from a setting, falling back to 'ask' for anything unknown.
 */
export function readMode(value: unknown): PermissionMode {
  return PERMISSION_MODES.includes(value as PermissionMode) ? (value as PermissionMode) : 'ask';
}

/**
 * The mode of each conversation (by id), the default for new ones, and what the
 * administrator allows. A conversation keeps its mode until it changes or ends; a new chat
 * starts in the default mode.
 */
export class PermissionModes implements IPermissionModes {
  constructor(options: PermissionModes.IOptions = {}) {
    this._default = readMode(options.defaultMode);
    this._disabled = [...(options.disabled ?? [])];
  }

  /**
   * The modes on offer now.
   */
  get allowed(): PermissionMode[] {
    return allowedModes(this._disabled);
  }

  /**
   * The default for new conversations (when allowed; else 'ask').
   */
  get defaultMode(): PermissionMode {
    return this.allowed.includes(this._default) ? this._default : 'ask';
  }

  /**
   * A conversation's mode, or its id's default; a mode turned off since falls back to 'ask'.
   */
  modeOf(conversationId: string): PermissionMode {
    const mode = this._modes.get(conversationId) ?? this.defaultMode;
    return this.allowed.includes(mode) ? mode : 'ask';
  }

  /**
   * Set a conversation's mode; false (and nothing changes) when the mode is not allowed.
   */
  setMode(conversationId: string, mode: PermissionMode): boolean {
    if (!this.allowed.includes(mode)) {
      return false;
    }
    if (this.modeOf(conversationId) !== mode) {
      this._modes.set(conversationId, mode);
      this._changed.emit({ conversationId });
    }
    return true;
  }

  /**
   * Change the default (the setting) and what the administrator turned off (the policy).
   */
  configure(options: PermissionModes.IOptions): void {
    if (options.defaultMode !== undefined) {
      this._default = readMode(options.defaultMode);
    }
    if (options.disabled !== undefined) {
      this._disabled = [...options.disabled];
    }
    this._changed.emit({ conversationId: null });
  }

  /**
   * A conversation's mode or the allowed modes changed (`conversationId` null: every conversation's may have).
   */
  get changed(): Signal<this, { conversationId: string | null }> {
    return this._changed;
  }

  private _default: PermissionMode;
  private _disabled: string[];
  private _modes = new Map<string, PermissionMode>();
  private _changed = new Signal<this, { conversationId: string | null }>(this);
}

export namespace PermissionModes {
  export interface IOptions {
    /** The setting's default mode for new conversations. */
    defaultMode?: unknown;
    /** The modes the administrator turned off (`c.ClaudePolicy.disabled_modes`). */
    disabled?: ReadonlyArray<string>;
  }
}

namespace Private {
  /**
   * Code that reaches outside the notebook: the network, other processes, the shell, the
   * file system beyond reading, the environment's secrets.
   */
  export const OUTSIDE: ReadonlyArray<[RegExp, string]> = [
    [/^\s*[!%]/m, 'uses the shell or a magic'],
    [
      /\b(?:urllib|requests|httpx|aiohttp|http\.client|socket|smtplib|ftplib|paramiko|websocket|urlopen)\b/,
      'uses the network'
    ],
    [/\b(?:subprocess|os\.system|os\.popen|os\.exec\w*|os\.spawn\w*|pty|multiprocessing)\b/, 'starts processes'],
    [/\b(?:boto3|google\.cloud|azure|s3fs|gcsfs|fsspec)\b/, 'uses a cloud service'],
    [
      /\bto_(?:csv|parquet|excel|json|pickle|feather|hdf|sql)\s*\(|\.savefig\s*\(|\.write_(?:text|bytes)\s*\(/,
      'writes files'
    ],
    [/\bopen\s*\([^)]*['"][wax+]/, 'writes files'],
    [
      /\b(?:shutil|os\.remove|os\.unlink|os\.rmdir|os\.rename|os\.replace|os\.makedirs|os\.mkdir|unlink\s*\(|rmtree)\b/,
      'changes files'
    ],
    [/\b(?:os\.environ|getenv|dotenv)\b/, 'reads the environment'],
    [/\b(?:eval|exec|__import__|importlib|compile)\s*\(/, 'builds code at run time'],
    [/\b(?:ctypes|webbrowser|pickle\.loads)\b/, 'goes beyond the notebook']
  ];
}
