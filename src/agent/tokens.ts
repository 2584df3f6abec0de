/*
 * Public interfaces of Claude's tools: what a tool is and what it returns.
 * No logic lives here.
 */

/**
 * What a tool returns to Claude.
 */
export interface IToolResult {
  content: string;
  isError?: boolean;
}

/**
 * A tool Claude may call, described for the Messages API.
 */
export interface IToolDefinition {
  name: string;
  description: string;
  input_schema: { type: 'object'; properties?: unknown; required?: string[]; [key: string]: unknown };
}

/**
 * The tools of one notebook. Read tools answer at once; nothing here changes the notebook.
 */
export interface IClaudeTools {
  definitions(): IToolDefinition[];
  /** Say in a few words what a call does. */
  describe(name: string, input: unknown): string;
  /**
   * Answer a call. A proposal (a change to the notebook, a run) resolves only when the
   * scientist has accepted or rejected it.
   */
  run(name: string, input: unknown, call?: IToolCallInfo): Promise<IToolResult>;
  /** The scientist stopped the answer: settle whatever waits for a decision. */
  cancelPending?(): void;
}

/**
 * Where a tool call comes from, for provenance.
 */
export interface IToolCallInfo {
  toolUseId: string;
  model: string;
  requestId: string | null;
}
