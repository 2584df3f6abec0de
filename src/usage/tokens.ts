/*
 * Public interfaces of the admin policy and of usage and cost, and the token that provides them.
 * No logic lives here.
 */
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import type { ITool } from '../agent/tokens';

/**
 * Tokens of one answer, a conversation or a day, as the Messages API counts them.
 */
export interface ITokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/**
 * US dollars per million tokens of each kind.
 */
export interface IPrice {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/**
 * The administrator's rules as the server shows them to the browser (read-only here: the
 * server enforces them).
 */
export interface IAdminPolicy {
  /** Models users may pick; empty: any. */
  allowedModels: string[];
  /** Largest `max_tokens` of one request; 0: no cap. */
  maxTokens: number;
  /** Tokens a day per user; 0: no limit. */
  dailyTokenLimit: number;
  /** How much a cache-read token counts towards the daily limit. */
  cacheReadWeight: number;
  /** Tool names, or the groups `files`, `edits`, `run`, `mcp`. */
  disabledTools: string[];
  /** The administrator's prices, by model id or id prefix, over the built-in table. */
  prices: Record<string, IPrice>;
  /** The settings above that the administrator set (the panel says so beside them). */
  managed: string[];
  /** Whether this server keeps an audit log of requests and tool decisions. */
  audit: boolean;
  /** Whether that log holds the text of questions and answers too. */
  auditContents: boolean;
}

/**
 * The user's use today, as the server counted it.
 */
export interface IDailyUsage {
  /** The server's local day, YYYY-MM-DD. */
  day: string;
  tokens: ITokenCounts;
  /** What counts towards the limit (cache reads at their weight). */
  counted: number;
  /** The daily limit (0: none). */
  limit: number;
  /** When the count resets (the server's local midnight, ISO time). */
  resetsAt: string;
}

/**
 * A cost estimate: dollars, and whether every model in it had a price.
 */
export interface ICostEstimate {
  usd: number;
  /** Models with no price (their tokens are not in `usd`). */
  unpriced: string[];
}

/**
 * A decision on a tool call that needed the scientist, for the audit log.
 */
export interface IApprovalEvent {
  tool: string;
  kind: string;
  toolUseId: string;
  notebook: string;
  decision: 'accepted' | 'rejected' | 'edited' | 'failed';
  reason?: string;
}

/**
 * The admin policy of this server and the user's use today.
 */
export interface IClaudePolicy {
  /** The policy (an empty one until the server answered, or if it could not). */
  readonly policy: IAdminPolicy;
  /** Today's use, once known. */
  readonly today: IDailyUsage | null;
  /** Settles when the first answer from the server arrived (or failed). */
  readonly ready: Promise<void>;
  /** Emitted when the policy or today's use changes. */
  readonly changed: ISignal<IClaudePolicy, void>;
  /** Ask the server again (after an answer: today's use changed). */
  refresh(): Promise<void>;
  /** Whether the administrator allows this model. */
  allowsModel(model: string): boolean;
  /** Whether the administrator turned this tool off. */
  withholds(tool: Pick<ITool, 'name' | 'kind'>): boolean;
  /** The price of a model: the administrator's, else the built-in table's (null: unknown). */
  priceFor(model: string): IPrice | null;
  /** Whether the administrator set this setting (`allowed_models`, `max_tokens`, ...). */
  isManaged(setting: string): boolean;
}

/**
 * The admin policy.
 */
export const IClaudePolicy = new Token<IClaudePolicy>(
  'jupyterlab-claude:policy',
  "The administrator's rules for Claude on this server, and the user's use today."
);
