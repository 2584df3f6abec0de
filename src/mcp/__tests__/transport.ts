/*
 * A transport that answers as the bridge answered when these fixtures were recorded from a
 * real Jupyter server bridging the example instrument and server-everything
 * (`GET claude/mcp/servers`, a streamed `acquire_spectrum`, `get-tiny-image`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { APIError } from '../../api';
import type { IMcpProgress, IMcpTransport } from '../client';
import type { IMcpListing, IMcpResult, IMcpServerInfo } from '../tokens';

const FIXTURES = path.join(__dirname, 'fixtures');

export function recordedListing(): IMcpListing {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, 'listing.json'), 'utf-8'));
}

/** The recorded stream of one acquire_spectrum call: its progress lines, then its result. */
export function recordedAcquire(): { progress: IMcpProgress[]; result: IMcpResult } {
  const lines = fs
    .readFileSync(path.join(FIXTURES, 'acquire.ndjson'), 'utf-8')
    .split('\n')
    .filter(Boolean)
    .map(line => JSON.parse(line));
  return { progress: lines.filter(l => l.type === 'progress'), result: lines.find(l => l.type === 'result') };
}

export function recordedTinyImage(): IMcpResult {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, 'tiny_image.json'), 'utf-8'));
}

export class RecordedTransport implements IMcpTransport {
  listing = recordedListing();
  calls: { server: string; tool: string; body: { arguments: Record<string, unknown>; call_id: string } }[] = [];
  cancelled: string[] = [];
  saved: { path: string; text: string }[] = [];
  /** Holds a call until `finish` (for cancel); otherwise calls answer the recorded acquisition. */
  hold = false;
  private _finish: ((error?: Error) => void) | null = null;

  async list(): Promise<IMcpListing> {
    return this.listing;
  }
  async connect(): Promise<IMcpListing> {
    return this.listing;
  }
  async restart(server: string): Promise<IMcpServerInfo> {
    return this.listing.servers.find(s => s.name === server)!;
  }
  async trust(): Promise<IMcpListing> {
    return this.listing;
  }
  async call(
    server: string,
    tool: string,
    body: { arguments: Record<string, unknown>; call_id: string },
    onProgress: (progress: IMcpProgress) => void
  ): Promise<IMcpResult> {
    this.calls.push({ server, tool, body });
    const recorded = recordedAcquire();
    recorded.progress.slice(0, 3).forEach(onProgress);
    if (this.hold) {
      await new Promise<void>((resolve, reject) => (this._finish = e => (e ? reject(e) : resolve())));
    }
    if (tool === 'get-tiny-image') {
      return recordedTinyImage();
    }
    return recorded.result;
  }
  async cancel(callId: string): Promise<void> {
    this.cancelled.push(callId);
    // The bridge answers the pending call 409 cancelled.
    this._finish?.(new APIError(409, 'The call was cancelled.'));
  }
  async readResource(): Promise<{ contents: { text?: string }[] }> {
    return { contents: [] };
  }
  async saveResource(): Promise<{ contents: { text?: string }[] }> {
    return { contents: [] };
  }
  async getPrompt(): Promise<{ messages: { role: string; content: { type: string; text?: string } }[] }> {
    return { messages: [] };
  }
  async saveFile(path: string, text: string): Promise<void> {
    this.saved.push({ path, text });
  }
}
