/*
 * The calls Claude makes of MCP tools: each waits on its card for Accept or Reject (unless the
 * scientist allowed that tool in this notebook), runs with its progress shown, can be
 * cancelled, and its result can be kept beside the notebook.
 */
import { PathExt } from '@jupyterlab/coreutils';
import { Signal } from '@lumino/signaling';
import { APIError } from '../api';
import type { IToolResult, ToolApproval } from '../agent/tokens';
import type { IMcpTransport } from './client';
import { resultForClaude } from './results';
import type { IMcpCall, IMcpCalls, IMcpResult } from './tokens';

/**
 * The MCP calls of every notebook, and their approval.
 */
export class McpCalls implements IMcpCalls {
  constructor(options: McpCalls.IOptions) {
    this._options = options;
  }

  get calls(): ReadonlyArray<IMcpCall> {
    return this._calls;
  }

  get changed(): Signal<this, IMcpCall | null> {
    return this._changed;
  }

  approvalFor(notebookPath: () => string): { approve: ToolApproval; cancelPending(): void } {
    const approve: ToolApproval = request => {
      const target = this._options.resolve(request.tool);
      if (!target) {
        return Promise.resolve({ reason: `${request.tool} is no longer offered.` });
      }
      const path = notebookPath();
      const call: Private.ICallState = {
        id: Private.callId(request.call.toolUseId),
        toolUseId: request.call.toolUseId,
        notebookPath: path,
        name: request.tool,
        server: target.server,
        tool: target.tool,
        arguments: Private.args(request.input),
        status: 'pending',
        allowed: false,
        createdAt: new Date().toISOString()
      };
      this._calls.push(call);
      if (this._options.isAllowed(path, request.tool)) {
        // The scientist allowed this tool here in advance: it runs without a click.
        this._update(call, { status: 'running', allowed: true });
        return Promise.resolve(true);
      }
      this._changed.emit(call);
      return new Promise(resolve => this._waiting.set(call.id, resolve));
    };
    const cancelPending = () => {
      const path = notebookPath();
      for (const call of this._calls) {
        if (call.notebookPath !== path) {
          continue;
        }
        if (call.status === 'pending') {
          this._decide(call, { reason: 'The scientist stopped the answer.' });
        } else if (call.status === 'running') {
          void this.cancel(call.id);
        }
      }
    };
    return { approve, cancelPending };
  }

  accept(id: string): void {
    const call = this._get(id);
    if (call?.status === 'pending') {
      this._update(call, { status: 'running' });
      this._decide(call, true);
    }
  }

  reject(id: string, reason?: string): void {
    const call = this._get(id);
    if (call?.status === 'pending') {
      this._update(call, { status: 'rejected', reason: reason?.trim() || undefined });
      this._decide(call, { reason: reason?.trim() || 'none given' });
    }
  }

  async cancel(id: string): Promise<void> {
    const call = this._get(id);
    if (call?.status === 'pending') {
      this._update(call, { status: 'cancelled' });
      this._decide(call, { reason: 'The scientist cancelled the call before it ran.' });
    } else if (call?.status === 'running') {
      this._cancelled.add(id);
      try {
        await this._options.transport.cancel(id);
      } catch {
        // Already finished, or the server is gone: the call's own answer says which.
      }
    }
  }

  async run(
    toolUseId: string,
    target: { name: string; server: string; tool: string },
    args: Record<string, unknown>,
    notebookPath: string
  ): Promise<IToolResult> {
    let call = this._calls.find(c => c.toolUseId === toolUseId && c.status === 'running' && !c.result);
    if (!call) {
      // Approved elsewhere (no card was shown): show it now.
      call = {
        id: Private.callId(toolUseId),
        toolUseId,
        notebookPath,
        ...target,
        arguments: args,
        status: 'running',
        allowed: true,
        createdAt: new Date().toISOString()
      };
      this._calls.push(call);
      this._changed.emit(call);
    }
    const state = call;
    try {
      const result = await this._options.transport.call(
        target.server,
        target.tool,
        { arguments: args, call_id: state.id },
        progress => this._update(state, { progress })
      );
      this._update(state, { status: result.isError ? 'error' : 'done', result });
      return resultForClaude(result);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const cancelled = this._cancelled.has(state.id) || (error instanceof APIError && error.status === 409);
      this._update(state, { status: cancelled ? 'cancelled' : 'error', reason: message });
      return {
        content: cancelled ? `The scientist cancelled the call of ${target.name}.` : `The call failed: ${message}`,
        isError: true
      };
    }
  }

  async save(id: string): Promise<string> {
    const call = this._get(id);
    if (!call?.result) {
      throw new Error('There is no result to save.');
    }
    if (call.saved) {
      return call.saved;
    }
    const when = new Date();
    const folder = PathExt.join(PathExt.dirname(call.notebookPath), 'mcp-data', Private.safe(call.server));
    const path = PathExt.join(folder, `${Private.safe(call.tool)}-${Private.stamp(when)}.json`);
    const record = {
      server: call.server,
      tool: call.tool,
      arguments: call.arguments,
      time: when.toISOString(),
      call_id: call.id,
      result: call.result
    };
    await this._options.transport.saveFile(path, JSON.stringify(record, null, 1));
    this._update(call, { saved: path });
    return path;
  }

  private _get(id: string): Private.ICallState | undefined {
    return this._calls.find(c => c.id === id);
  }

  private _decide(call: Private.ICallState, decision: boolean | { reason: string }): void {
    const resolve = this._waiting.get(call.id);
    this._waiting.delete(call.id);
    if (decision !== true && call.status === 'pending') {
      this._update(call, { status: 'rejected', reason: (decision as { reason: string }).reason });
    }
    resolve?.(decision);
  }

  private _update(call: Private.ICallState, changes: Partial<Private.ICallState>): void {
    Object.assign(call, changes);
    this._changed.emit(call);
  }

  private _options: McpCalls.IOptions;
  private _calls: Private.ICallState[] = [];
  private _waiting = new Map<string, (decision: boolean | { reason: string }) => void>();
  private _cancelled = new Set<string>();
  private _changed = new Signal<this, IMcpCall | null>(this);
}

export namespace McpCalls {
  export interface IOptions {
    transport: IMcpTransport;
    /** The server and tool a Claude tool name stands for. */
    resolve: (name: string) => { server: string; tool: string } | undefined;
    /** Whether the scientist allowed this tool in this notebook (and the admin lets them). */
    isAllowed: (notebookPath: string, name: string) => boolean;
  }
}

namespace Private {
  export type ICallState = { -readonly [K in keyof IMcpCall]: IMcpCall[K] } & { result?: IMcpResult };

  let counter = 0;

  /** The bridge's call id: 1-64 of `[A-Za-z0-9_-]`, unique in this page. */
  export function callId(toolUseId: string): string {
    const base = toolUseId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 48) || 'call';
    return `${base}-${(++counter).toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  }

  export function args(input: unknown): Record<string, unknown> {
    return input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  }

  export function safe(name: string): string {
    return (
      name
        .replace(/[^A-Za-z0-9_.-]+/g, '_')
        .replace(/^\.+/, '')
        .slice(0, 80) || 'tool'
    );
  }

  /** `20261202T170405123Z`, as the server names the files it keeps. */
  export function stamp(when: Date): string {
    return when.toISOString().replace(/[-:]/g, '').replace('.', '');
  }
}
