/*
 * The admin policy as the server shows it (`GET claude/policy`), and today's use.
 */
import type { ServerConnection } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';
import { requestAPI } from '../api';
import type { ITool } from '../agent/tokens';
import { priceFor } from './cost';
import type { IAdminPolicy, IApprovalEvent, IClaudePolicy, IDailyUsage, IPrice, ITokenCounts } from './tokens';

/**
 * Tools each group of `disabledTools` stands for: by name, or by the kind that needs approval.
 */
export const TOOL_GROUPS: Readonly<Record<string, { names?: string[]; kind?: ITool['kind'] }>> = {
  files: { names: ['list_files', 'read_file_head'] },
  edits: { kind: 'write' },
  run: { kind: 'run' },
  mcp: { kind: 'external' }
};

/**
 * Whether a policy's `disabledTools` turn off a tool.
 */
export function isWithheld(tool: Pick<ITool, 'name' | 'kind'>, disabled: ReadonlyArray<string>): boolean {
  return disabled.some(entry => {
    if (entry === tool.name) {
      return true;
    }
    const group = TOOL_GROUPS[entry];
    return !!group && (!!group.names?.includes(tool.name) || (!!group.kind && group.kind === tool.kind));
  });
}

/**
 * A policy that allows everything (before the server answered, or a server without one).
 */
export function openPolicy(): IAdminPolicy {
  return {
    allowedModels: [],
    maxTokens: 0,
    dailyTokenLimit: 0,
    cacheReadWeight: 0.1,
    disabledTools: [],
    prices: {},
    managed: [],
    audit: false,
    auditContents: false
  };
}

/**
 * Read the server's answer, keeping only well-formed fields (anything else: no rule).
 */
export function parsePolicy(data: unknown): { policy: IAdminPolicy; today: IDailyUsage | null } {
  const raw = Private.object(data);
  const policy = openPolicy();
  policy.allowedModels = Private.strings(raw.allowed_models);
  policy.maxTokens = Private.count(raw.max_tokens);
  policy.dailyTokenLimit = Private.count(raw.daily_token_limit);
  policy.cacheReadWeight = typeof raw.cache_read_weight === 'number' ? raw.cache_read_weight : 0.1;
  policy.disabledTools = Private.strings(raw.disabled_tools);
  policy.managed = Private.strings(raw.managed);
  policy.audit = raw.audit === true;
  policy.auditContents = raw.audit_contents === true;
  for (const [model, value] of Object.entries(Private.object(raw.prices))) {
    const p = Private.object(value);
    policy.prices[model] = {
      input: Private.amount(p.input),
      output: Private.amount(p.output),
      cacheRead: Private.amount(p.cache_read),
      cacheWrite: Private.amount(p.cache_write)
    };
  }
  const usage = Private.object(raw.usage);
  const today: IDailyUsage | null =
    typeof usage.day === 'string'
      ? {
          day: usage.day,
          tokens: Private.counts(usage.tokens),
          counted: Private.count(usage.counted),
          limit: Private.count(usage.limit),
          resetsAt: typeof usage.resets_at === 'string' ? usage.resets_at : ''
        }
      : null;
  return { policy, today };
}

/**
 * How long a question waits for the policy before it goes without it (the server still applies it).
 */
export const POLICY_WAIT_MS = 10_000;

/**
 * Whether the policy is known within `ms` (false: the server has not answered yet).
 */
export function policyKnownWithin(policy: Pick<IClaudePolicy, 'ready'>, ms = POLICY_WAIT_MS): Promise<boolean> {
  return new Promise(resolve => {
    const timer = setTimeout(() => resolve(false), ms);
    void policy.ready.then(
      () => (clearTimeout(timer), resolve(true)),
      () => (clearTimeout(timer), resolve(true))
    );
  });
}

/**
 * The policy of one Jupyter server, read from its `claude/policy` route.
 */
export class PolicyModel implements IClaudePolicy {
  constructor(options: PolicyModel.IOptions) {
    this._serverSettings = options.serverSettings;
    this.ready = this.refresh();
  }

  readonly ready: Promise<void>;

  get policy(): IAdminPolicy {
    return this._policy;
  }

  get today(): IDailyUsage | null {
    return this._today;
  }

  get changed(): Signal<this, void> {
    return this._changed;
  }

  /**
   * Why the policy could not be read (null: it was, or it is being read).
   */
  get error(): string | null {
    return this._error;
  }

  async refresh(): Promise<void> {
    try {
      const { policy, today } = parsePolicy(await requestAPI<unknown>(this._serverSettings, 'policy'));
      this._policy = policy;
      this._today = today;
      this._error = null;
    } catch (error) {
      // The server enforces the policy either way; the panel just cannot show it.
      this._error = error instanceof Error ? error.message : String(error);
    }
    this._changed.emit();
  }

  allowsModel(model: string): boolean {
    const allowed = this._policy.allowedModels;
    return !allowed.length || allowed.includes(model);
  }

  withholds(tool: Pick<ITool, 'name' | 'kind'>): boolean {
    return isWithheld(tool, this._policy.disabledTools);
  }

  priceFor(model: string): IPrice | null {
    return priceFor(model, this._policy.prices);
  }

  isManaged(setting: string): boolean {
    return this._policy.managed.includes(setting);
  }

  /**
   * Record the scientist's decision on a tool call in the server's audit log.
   */
  async recordApproval(event: IApprovalEvent): Promise<void> {
    await requestAPI(this._serverSettings, 'audit/approval', {
      method: 'POST',
      body: JSON.stringify({
        tool: event.tool,
        kind: event.kind,
        tool_use_id: event.toolUseId,
        notebook: event.notebook,
        decision: event.decision,
        ...(event.reason ? { reason: event.reason } : {})
      })
    });
  }

  private _serverSettings: ServerConnection.ISettings;
  private _policy = openPolicy();
  private _today: IDailyUsage | null = null;
  private _error: string | null = null;
  private _changed = new Signal<this, void>(this);
}

export namespace PolicyModel {
  export interface IOptions {
    serverSettings: ServerConnection.ISettings;
  }
}

namespace Private {
  export function object(value: unknown): Record<string, unknown> {
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  }

  export function strings(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }

  export function count(value: unknown): number {
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
  }

  export function amount(value: unknown): number {
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
  }

  export function counts(value: unknown): ITokenCounts {
    const raw = object(value);
    return {
      input: count(raw.input),
      output: count(raw.output),
      cacheRead: count(raw.cache_read),
      cacheWrite: count(raw.cache_write)
    };
  }
}
