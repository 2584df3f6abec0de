/*
 * The `claude/mcp/...` routes of our server, as the MCP front end calls them. The browser
 * only names a configured server; commands, URLs and headers stay on the Jupyter server.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { apiURL, APIError, requestAPI } from '../api';
import type { IMcpListing, IMcpResult, IMcpServerInfo } from './tokens';

/**
 * One progress notification of a call.
 */
export interface IMcpProgress {
  progress: number;
  total?: number | null;
  message?: string | null;
}

/**
 * What the front end asks of the bridge (an interface, so the models run under jest).
 */
export interface IMcpTransport {
  list(): Promise<IMcpListing>;
  connect(): Promise<IMcpListing>;
  restart(server: string): Promise<IMcpServerInfo>;
  trust(sha256: string, trusted: boolean): Promise<IMcpListing>;
  /** Call a tool; progress comes as it arrives; resolves to the result, throws an `APIError`. */
  call(
    server: string,
    tool: string,
    body: { arguments: Record<string, unknown>; call_id: string },
    onProgress: (progress: IMcpProgress) => void
  ): Promise<IMcpResult>;
  cancel(callId: string): Promise<void>;
  readResource(server: string, uri: string): Promise<{ contents: { uri?: string; text?: string; blob?: string }[] }>;
  saveResource(
    server: string,
    uri: string,
    notebookPath: string
  ): Promise<{ saved?: string; save_error?: string; contents: { text?: string }[] }>;
  getPrompt(
    server: string,
    prompt: string,
    args: Record<string, string>
  ): Promise<{ description?: string; messages: { role: string; content: { type: string; text?: string } }[] }>;
  /** Write a text file under the Jupyter root (a result kept beside its notebook). */
  saveFile(path: string, text: string): Promise<void>;
}

/**
 * How long starting MCP servers, reading a resource or getting a prompt may take: the server's
 * own limits (`c.ClaudeMCP.call_timeout`, 120 s by default; `connect_timeout` per server) and a margin.
 */
const MCP_TIMEOUT_MS = 180_000;

/**
 * The routes through Jupyter's ServerConnection (its token and XSRF protection).
 */
export class McpClient implements IMcpTransport {
  constructor(private readonly _settings: ServerConnection.ISettings) {}

  list(): Promise<IMcpListing> {
    return requestAPI<IMcpListing>(this._settings, 'mcp/servers');
  }

  connect(): Promise<IMcpListing> {
    return requestAPI<IMcpListing>(this._settings, 'mcp/connect', {
      method: 'POST',
      body: '{}',
      timeoutMs: MCP_TIMEOUT_MS
    });
  }

  restart(server: string): Promise<IMcpServerInfo> {
    return requestAPI<IMcpServerInfo>(this._settings, `mcp/servers/${enc(server)}/restart`, {
      method: 'POST',
      body: '{}',
      timeoutMs: MCP_TIMEOUT_MS
    });
  }

  trust(sha256: string, trusted: boolean): Promise<IMcpListing> {
    return requestAPI<IMcpListing>(this._settings, 'mcp/trust', {
      method: trusted ? 'POST' : 'DELETE',
      body: JSON.stringify({ sha256 })
    });
  }

  async call(
    server: string,
    tool: string,
    body: { arguments: Record<string, unknown>; call_id: string },
    onProgress: (progress: IMcpProgress) => void
  ): Promise<IMcpResult> {
    const url = apiURL(this._settings, `mcp/servers/${enc(server)}/tools/${enc(tool)}`);
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(
        url,
        { method: 'POST', body: JSON.stringify({ ...body, stream: true }), cache: 'no-cache' },
        this._settings
      );
    } catch {
      throw new APIError(0, 'The Jupyter server could not be reached.');
    }
    if (!response.ok || !response.body) {
      const data = await response.json().catch(() => null);
      throw new APIError(response.status, data?.error?.message ?? `The Jupyter server answered ${response.status}.`);
    }
    // One JSON object a line: progress as it comes, then the result or the error.
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      buffer += decoder.decode(value ?? new Uint8Array(), { stream: !done });
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        const event = line ? JSON.parse(line) : null;
        if (event?.type === 'progress') {
          onProgress({ progress: event.progress, total: event.total, message: event.message });
        } else if (event?.type === 'result') {
          return event as IMcpResult;
        } else if (event?.type === 'error') {
          throw new APIError(event.error?.type === 'cancelled' ? 409 : 502, String(event.error?.message ?? 'error'));
        }
      }
      if (done) {
        throw new APIError(502, 'The Jupyter server ended the call without a result.');
      }
    }
  }

  async cancel(callId: string): Promise<void> {
    await requestAPI(this._settings, `mcp/calls/${enc(callId)}/cancel`, { method: 'POST', body: '{}' });
  }

  readResource(server: string, uri: string): Promise<{ contents: { uri?: string; text?: string; blob?: string }[] }> {
    return requestAPI(this._settings, `mcp/servers/${enc(server)}/resources`, { timeoutMs: MCP_TIMEOUT_MS }, { uri });
  }

  saveResource(
    server: string,
    uri: string,
    notebookPath: string
  ): Promise<{ saved?: string; save_error?: string; contents: { text?: string }[] }> {
    return requestAPI(this._settings, `mcp/servers/${enc(server)}/resources`, {
      method: 'POST',
      body: JSON.stringify({ uri, save_beside: notebookPath }),
      timeoutMs: MCP_TIMEOUT_MS
    });
  }

  getPrompt(
    server: string,
    prompt: string,
    args: Record<string, string>
  ): Promise<{ description?: string; messages: { role: string; content: { type: string; text?: string } }[] }> {
    return requestAPI(this._settings, `mcp/servers/${enc(server)}/prompts/${enc(prompt)}`, {
      method: 'POST',
      body: JSON.stringify({ arguments: args }),
      timeoutMs: MCP_TIMEOUT_MS
    });
  }

  async saveFile(path: string, text: string): Promise<void> {
    const url = URLExt.join(this._settings.baseUrl, 'api/contents', URLExt.encodeParts(path));
    const folder = path.split('/').slice(0, -1);
    // The contents API makes no parent folders: make each one that is missing.
    for (let i = 1; i <= folder.length; i++) {
      const dir = URLExt.join(this._settings.baseUrl, 'api/contents', URLExt.encodeParts(folder.slice(0, i).join('/')));
      const exists = await ServerConnection.makeRequest(`${dir}?content=0`, {}, this._settings);
      if (exists.status === 404) {
        await check(
          ServerConnection.makeRequest(
            dir,
            { method: 'PUT', body: JSON.stringify({ type: 'directory' }) },
            this._settings
          )
        );
      }
    }
    await check(
      ServerConnection.makeRequest(
        url,
        { method: 'PUT', body: JSON.stringify({ type: 'file', format: 'text', content: text }) },
        this._settings
      )
    );
  }
}

function enc(part: string): string {
  return encodeURIComponent(part);
}

async function check(pending: Promise<Response>): Promise<void> {
  const response = await pending;
  if (!response.ok) {
    const data = await response.json().catch(() => null);
    throw new APIError(response.status, data?.message ?? `The Jupyter server answered ${response.status}.`);
  }
}
