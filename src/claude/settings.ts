/*
 * The settings of the Claude client: defaults and reading them from the settings registry.
 */
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { IClaudeSettings } from './tokens';

/**
 * The default model: a current one. The panel's picker offers what the upstream lists.
 */
export const DEFAULT_MODEL = 'claude-sonnet-5-5';

/**
 * Defaults, matching `schema/plugin.json`.
 */
export const DEFAULT_SETTINGS: IClaudeSettings = {
  model: DEFAULT_MODEL,
  maxTokens: 8192,
  effort: 'default',
  thinking: 'default',
  contextBudgetTokens: 8000,
  inspectKernel: true,
  customInstructions: '',
  maxRetries: 2,
  timeoutSeconds: 600,
  maxToolRounds: 25,
  taskTokenBudget: 2_000_000,
  compactAtTokens: 150_000,
  defaultPermissionMode: 'ask'
};

const EFFORTS = ['default', 'low', 'medium', 'high', 'xhigh', 'max'] as const;
const THINKING = ['default', 'adaptive', 'disabled'] as const;
const MODES = ['ask', 'acceptEdits', 'plan', 'runInNotebook'] as const;

/**
 * Read the settings from a composite settings object, keeping defaults for anything
 * missing or of the wrong type.
 */
export function readSettings(
  composite: ISettingRegistry.ISettings['composite'] | Record<string, unknown>
): IClaudeSettings {
  const raw = (composite ?? {}) as Record<string, unknown>;
  const num = (key: keyof IClaudeSettings, min: number): number => {
    const v = raw[key];
    return typeof v === 'number' && Number.isFinite(v) && v >= min ? v : (DEFAULT_SETTINGS[key] as number);
  };
  const model = typeof raw.model === 'string' && raw.model.trim() ? raw.model.trim() : DEFAULT_SETTINGS.model;
  const oneOf = <T extends string>(value: unknown, allowed: readonly T[], fallback: T): T =>
    allowed.includes(value as T) ? (value as T) : fallback;
  return {
    model,
    maxTokens: Math.floor(num('maxTokens', 1)),
    effort: oneOf(raw.effort, EFFORTS, DEFAULT_SETTINGS.effort),
    thinking: oneOf(raw.thinking, THINKING, DEFAULT_SETTINGS.thinking),
    contextBudgetTokens: Math.floor(num('contextBudgetTokens', 500)),
    inspectKernel: raw.inspectKernel !== false,
    customInstructions: typeof raw.customInstructions === 'string' ? raw.customInstructions : '',
    maxRetries: Math.floor(num('maxRetries', 0)),
    timeoutSeconds: num('timeoutSeconds', 1),
    maxToolRounds: Math.min(200, Math.floor(num('maxToolRounds', 1))),
    taskTokenBudget: Math.floor(num('taskTokenBudget', 0)),
    compactAtTokens: Math.floor(num('compactAtTokens', 0)),
    defaultPermissionMode: oneOf(raw.defaultPermissionMode, MODES, DEFAULT_SETTINGS.defaultPermissionMode)
  };
}
