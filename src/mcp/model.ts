/*
 * The MCP servers the Jupyter server bridges, as the front end knows them: the listing, the
 * tools offered to Claude (registered in the tool registry as servers connect, removed as they
 * go), the permission of each tool, and the calls.
 */
import type { IDisposable } from '@lumino/disposable';
import { Signal } from '@lumino/signaling';
import type { IToolRegistry } from '../agent/tokens';
import { isReadOnly, mcpTool, offerTool } from './adapter';
import { McpCalls } from './calls';
import type { IMcpTransport } from './client';
import type { IMcpListing, IMcpOfferedTool, IMcpServers, McpPermission } from './tokens';

/**
 * The permissions the scientist chose, as they are remembered.
 */
export interface IMcpPermissions {
  /** Tools off everywhere. */
  off: string[];
  /** Tools allowed without a click, per notebook path. */
  allow: Record<string, string[]>;
}

/**
 * The servers' model.
 */
export class McpServers implements IMcpServers {
  constructor(options: McpServers.IOptions) {
    this._transport = options.transport;
    this._registry = options.registry;
    this._savePermissions = options.savePermissions;
    this.calls = new McpCalls({
      transport: options.transport,
      resolve: name => {
        const offered = this.find(name);
        return offered && { server: offered.server, tool: offered.tool.name };
      },
      isAllowed: (path, name) => this.permission(path, name) === 'allow' && this.canAllow(name)
    });
  }

  readonly calls: McpCalls;

  get listing(): IMcpListing | null {
    return this._listing;
  }

  get error(): string | null {
    return this._error;
  }

  get offered(): ReadonlyArray<IMcpOfferedTool> {
    return this._offered;
  }

  get changed(): Signal<this, void> {
    return this._changed;
  }

  async refresh(): Promise<void> {
    await this._load(() => this._transport.list());
  }

  async connect(): Promise<void> {
    await this._load(() => this._transport.connect());
  }

  async restart(server: string): Promise<void> {
    try {
      const entry = await this._transport.restart(server);
      if (this._listing) {
        this._apply({
          ...this._listing,
          servers: this._listing.servers.map(s => (s.name === server ? entry : s))
        });
      }
    } catch (error) {
      this._error = error instanceof Error ? error.message : String(error);
      this._changed.emit();
    }
    await this.refresh();
  }

  async trustProject(sha256: string, trusted: boolean): Promise<void> {
    await this._load(() => this._transport.trust(sha256, trusted));
    if (trusted) {
      await this.connect();
    }
  }

  permission(notebookPath: string, name: string): McpPermission {
    if (this._off.has(name)) {
      return 'off';
    }
    return this._allow.get(notebookPath)?.has(name) ? 'allow' : 'ask';
  }

  canAllow(name: string): boolean {
    const policy = this._listing?.policy?.auto_approve ?? 'read-only';
    if (policy === 'never') {
      return false;
    }
    const offered = this.find(name);
    return !!offered && (policy === 'any' || isReadOnly(offered.tool));
  }

  setPermission(notebookPath: string, name: string, permission: McpPermission): void {
    if (permission === 'allow' && !this.canAllow(name)) {
      throw new Error('Your administrator does not let this tool run without a click.');
    }
    this._off.delete(name);
    this._allow.get(notebookPath)?.delete(name);
    if (permission === 'off') {
      this._off.add(name);
    } else if (permission === 'allow') {
      const allowed = this._allow.get(notebookPath) ?? new Set<string>();
      allowed.add(name);
      this._allow.set(notebookPath, allowed);
    }
    this._savePermissions?.(this.permissions());
    // Off changes what the registry offers; the registry reads it at each request.
    this._changed.emit();
  }

  /**
   * The permissions as they are remembered.
   */
  permissions(): IMcpPermissions {
    const allow: Record<string, string[]> = {};
    for (const [path, names] of this._allow) {
      if (names.size) {
        allow[path] = [...names];
      }
    }
    return { off: [...this._off], allow };
  }

  /**
   * Take back permissions remembered earlier (anything malformed is ignored).
   */
  restorePermissions(saved: unknown): void {
    const value = saved as Partial<IMcpPermissions> | null;
    const strings = (list: unknown) => (Array.isArray(list) ? list.filter(x => typeof x === 'string') : []);
    this._off = new Set(strings(value?.off));
    this._allow = new Map(
      Object.entries(value?.allow && typeof value.allow === 'object' ? value.allow : {}).map(([path, names]) => [
        path,
        new Set(strings(names))
      ])
    );
    this._changed.emit();
  }

  find(name: string): IMcpOfferedTool | undefined {
    return this._offered.find(t => t.name === name);
  }

  dispose(): void {
    for (const registration of this._registrations.values()) {
      registration.disposable.dispose();
    }
    this._registrations.clear();
  }

  private async _load(read: () => Promise<IMcpListing>): Promise<void> {
    try {
      this._apply(await read());
      this._error = null;
    } catch (error) {
      this._error = error instanceof Error ? error.message : String(error);
    }
    this._changed.emit();
  }

  private _apply(listing: IMcpListing): void {
    this._listing = listing;
    const offered: IMcpOfferedTool[] = [];
    const taken = new Set<string>();
    for (const server of listing.servers) {
      // A restarting server keeps its tools: calls wait for it rather than vanish.
      if (server.state !== 'connected' && server.state !== 'restarting') {
        continue;
      }
      for (const tool of server.tools ?? []) {
        const entry = offerTool(server.name, tool);
        if (taken.has(entry.name)) {
          entry.leftOut = 'Left out: another tool has the same name for Claude.';
        }
        taken.add(entry.name);
        offered.push(entry);
      }
    }
    this._offered = offered;
    this._sync();
  }

  /** Register what is offered and not registered yet (or changed); dispose what went away. */
  private _sync(): void {
    const wanted = new Map(this._offered.filter(t => !t.leftOut).map(t => [t.name, t]));
    for (const [name, registration] of this._registrations) {
      const now = wanted.get(name);
      if (!now || Private.key(now) !== registration.key) {
        registration.disposable.dispose();
        this._registrations.delete(name);
      }
    }
    for (const [name, offered] of wanted) {
      if (this._registrations.has(name)) {
        continue;
      }
      try {
        const disposable = this._registry.register(
          mcpTool(offered, { calls: this.calls, permission: (path, n) => this.permission(path, n) })
        );
        this._registrations.set(name, { key: Private.key(offered), disposable });
      } catch (error) {
        offered.leftOut = `Left out: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
  }

  private _transport: IMcpTransport;
  private _registry: IToolRegistry;
  private _savePermissions?: (permissions: IMcpPermissions) => void;
  private _listing: IMcpListing | null = null;
  private _error: string | null = null;
  private _offered: IMcpOfferedTool[] = [];
  private _registrations = new Map<string, { key: string; disposable: IDisposable }>();
  private _off = new Set<string>();
  private _allow = new Map<string, Set<string>>();
  private _changed = new Signal<this, void>(this);
}

export namespace McpServers {
  export interface IOptions {
    transport: IMcpTransport;
    registry: IToolRegistry;
    /** Remember the scientist's permissions (the state database). */
    savePermissions?: (permissions: IMcpPermissions) => void;
  }
}

namespace Private {
  /** What makes a registered tool stale: its description or schema changed. */
  export function key(offered: IMcpOfferedTool): string {
    return JSON.stringify([offered.tool.description, offered.tool.title, offered.tool.inputSchema]);
  }
}
