/*
 * Start the project's local Messages API server (mock_api, Python) for a test file.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

export const MOCK_KEY = 'test-key-jest';

function python(): string {
  if (process.env.PYTHON) {
    return process.env.PYTHON;
  }
  const venv = path.join(ROOT, '.venv', 'bin', 'python');
  return fs.existsSync(venv) ? venv : 'python3';
}

/**
 * A running mock Messages API server.
 */
export class MockApi {
  /**
   * A server for the test file that calls this: started before its tests, emptied of queued
   * answers and recorded requests before each test, stopped after them all.
   */
  static forTestFile(): MockApi {
    const api = new MockApi();
    beforeAll(() => api._start(), 30000);
    afterAll(() => api.stop());
    beforeEach(() => api.reset());
    return api;
  }

  private constructor() {}

  /** The server's base URL. */
  get url(): string {
    return this._url;
  }

  private async _start(): Promise<void> {
    const child = spawn(python(), ['-m', 'mock_api', '--port', '0', '--api-key', MOCK_KEY], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe']
    });
    this._child = child;
    this._url = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`mock_api did not start: ${err}`)), 20000);
      child.stdout!.on('data', chunk => {
        out += String(chunk);
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.stderr!.on('data', chunk => (err += String(chunk)));
      child.on('exit', code => reject(new Error(`mock_api exited (${code}): ${err}`)));
    });
  }

  async queue(fixture: string, extra: Record<string, unknown> = {}): Promise<void> {
    const response = await fetch(`${this.url}/_mock/queue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fixture, ...extra })
    });
    if (!response.ok) {
      throw new Error(`could not queue ${fixture}: ${await response.text()}`);
    }
  }

  async reset(): Promise<void> {
    await fetch(`${this.url}/_mock/reset`, { method: 'POST' });
  }

  async requests(): Promise<Array<{ method: string; path: string; headers: Record<string, string>; body: any }>> {
    const response = await fetch(`${this.url}/_mock/requests`);
    const json = await response.json();
    return Array.isArray(json) ? json : json.requests;
  }

  stop(): void {
    this._child?.kill('SIGTERM');
  }

  private _child: ChildProcess | null = null;
  private _url = '';
}
