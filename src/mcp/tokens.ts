/*
 * Public interfaces of the MCP front end: the servers the Jupyter server bridges (as its
 * `claude/mcp/servers` route lists them), the permission of each tool, the calls Claude makes
 * and their approval, with the Lumino token of the model. No logic lives here.
 */
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import type { IToolApprovals, IToolResult } from '../agent/tokens';

/**
 * Where a server stands, as the bridge says.
 */
export type McpServerState = 'stopped' | 'starting' | 'connected' | 'restarting' | 'failed' | 'disabled';

/**
 * A tool as the MCP server listed it (`Tool` of the protocol, as JSON).
 */
export interface IMcpToolInfo {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: {
    title?: string;
    readOnlyHint?: boolean;
    destructiveHint?: boolean;
    idempotentHint?: boolean;
    openWorldHint?: boolean;
  };
}

export interface IMcpResourceInfo {
  uri: string;
  name?: string;
  title?: string;
  description?: string;
  mimeType?: string;
  size?: number;
}

export interface IMcpPromptInfo {
  name: string;
  title?: string;
  description?: string;
  arguments?: { name: string; description?: string; required?: boolean }[];
}

/**
 * One configured server, as listed (never its env values or headers: the bridge masks them).
 */
export interface IMcpServerInfo {
  name: string;
  source: string;
  state: McpServerState;
  error?: string | null;
  stderr?: string[];
  restarts?: number;
  server_info?: { name?: string; title?: string; version?: string } | null;
  tools: IMcpToolInfo[];
  resources: IMcpResourceInfo[];
  prompts: IMcpPromptInfo[];
  config?: Record<string, unknown>;
}

/**
 * The whole listing of `GET claude/mcp/servers`.
 */
export interface IMcpListing {
  servers: IMcpServerInfo[];
  project?: {
    path: string;
    enabled: boolean;
    exists: boolean;
    sha256: string | null;
    trusted: boolean;
    error?: string | null;
    servers: string[];
  };
  config_errors?: string[];
  call_timeout?: number;
  policy?: { auto_approve: McpAutoApprove };
}

/**
 * Which tools the admin lets the scientist allow without a click (`c.ClaudeMCP.auto_approve`).
 */
export type McpAutoApprove = 'read-only' | 'any' | 'never';

/**
 * A tool's permission: ask every time (the default), allowed in one notebook, or off.
 */
export type McpPermission = 'ask' | 'allow' | 'off';

/**
 * An MCP result as the bridge answers a call.
 */
export interface IMcpResult {
  content?: IMcpContentBlock[];
  structuredContent?: unknown;
  isError?: boolean;
  truncated?: boolean;
  call_id?: string;
  elapsed_ms?: number;
}

export interface IMcpContentBlock {
  type: string;
  text?: string;
  data?: string;
  mimeType?: string;
  uri?: string;
  name?: string;
  resource?: { uri?: string; text?: string; blob?: string; mimeType?: string };
}

/**
 * A tool Claude sees, and what it stands for; or one left out, with why.
 */
export interface IMcpOfferedTool {
  /** `mcp__<server>__<tool>`, as Claude calls it. */
  name: string;
  server: string;
  tool: IMcpToolInfo;
  /** What was changed in its schema so the Messages API takes it. */
  repairs: string[];
  /** Why it is not offered at all (a schema that could not be repaired). */
  leftOut?: string;
}

/**
 * Where a call stands.
 */
export type McpCallStatus = 'pending' | 'running' | 'done' | 'error' | 'rejected' | 'cancelled';

/**
 * One call Claude made of an MCP tool, as its card shows it.
 */
export interface IMcpCall {
  /** The call id the bridge knows it by. */
  readonly id: string;
  readonly toolUseId: string;
  /** The notebook whose conversation made it. */
  readonly notebookPath: string;
  readonly name: string;
  readonly server: string;
  readonly tool: string;
  readonly arguments: Record<string, unknown>;
  readonly status: McpCallStatus;
  /** Ran without a click: the scientist allowed this tool in this notebook. */
  readonly allowed: boolean;
  readonly progress?: { progress: number; total?: number | null; message?: string | null };
  readonly result?: IMcpResult;
  /** Why it was rejected, or what went wrong. */
  readonly reason?: string;
  /** Where the result was saved beside the notebook. */
  readonly saved?: string;
  readonly createdAt: string;
}

/**
 * The calls of MCP tools, with their approval; the `IToolApprovals` the sessions use.
 */
export interface IMcpCalls extends IToolApprovals {
  readonly calls: ReadonlyArray<IMcpCall>;
  readonly changed: ISignal<IMcpCalls, IMcpCall | null>;
  accept(id: string): void;
  reject(id: string, reason?: string): void;
  /** Stop a running call (MCP cancellation is sent) or refuse a pending one. */
  cancel(id: string): Promise<void>;
  /** Run an approved call (the tool's handler); resolves to what goes back to Claude. */
  run(
    toolUseId: string,
    target: { name: string; server: string; tool: string },
    args: Record<string, unknown>,
    notebookPath: string
  ): Promise<IToolResult>;
  /** Keep a finished call's result beside its notebook; resolves to the saved path. */
  save(id: string): Promise<string>;
}

/**
 * The MCP servers the Jupyter server bridges, their tools as Claude sees them, permissions.
 */
export interface IMcpServers {
  readonly listing: IMcpListing | null;
  /** Why the listing could not be read, if it could not. */
  readonly error: string | null;
  /** The tools offered to Claude and those left out. */
  readonly offered: ReadonlyArray<IMcpOfferedTool>;
  readonly changed: ISignal<IMcpServers, void>;
  readonly calls: IMcpCalls;
  refresh(): Promise<void>;
  /** Start the servers that may start, then list. */
  connect(): Promise<void>;
  restart(server: string): Promise<void>;
  /** Trust (or forget) the project `.mcp.json` whose content has this hash. */
  trustProject(sha256: string, trusted: boolean): Promise<void>;
  permission(notebookPath: string, name: string): McpPermission;
  /** Whether "Allow in this notebook" may be chosen for the tool (the admin's policy). */
  canAllow(name: string): boolean;
  setPermission(notebookPath: string, name: string, permission: McpPermission): void;
  /** The tool a Claude name stands for. */
  find(name: string): IMcpOfferedTool | undefined;
}

export const IMcpServers = new Token<IMcpServers>(
  'jupyterlab-claude:mcp-servers',
  'The MCP servers the Jupyter server bridges: their tools for Claude, permissions and calls.'
);
