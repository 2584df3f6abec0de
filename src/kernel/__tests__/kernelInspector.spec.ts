/**
 * @jest-environment node
 */
// KernelInspector against real kernels behind a real Jupyter server on a loopback port, through
// @jupyterlab/services as the extension uses it (Node's WebSocket comes from the `ws` package).
import { spawn, type ChildProcess } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { KernelManager, ServerConnection, type Kernel } from '@jupyterlab/services';
import { KernelInspector } from '../inspector';
import { formatKernelSummary } from '../summary';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const WebSocket = require('ws');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const VENV_BIN = path.join(ROOT, '.venv', 'bin');
const TOKEN = crypto.randomBytes(16).toString('hex');

let server: ChildProcess;
let work: string;
let manager: KernelManager;
let python: Kernel.IKernelConnection;
let debug: jest.SpyInstance | undefined;

jest.setTimeout(60000);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForServer(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline && server.exitCode === null) {
    try {
      const response = await fetch(`${url}api/status`, { headers: { Authorization: `token ${TOKEN}` } });
      if (response.ok) {
        return;
      }
      last = String(response.status);
    } catch (error) {
      last = String(error);
    }
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(`Jupyter server did not start: ${last}`);
}

async function run(kernel: Kernel.IKernelConnection, code: string): Promise<void> {
  const reply = await kernel.requestExecute({ code }).done;
  if (reply.content.status !== 'ok') {
    throw new Error(`cell failed: ${JSON.stringify(reply.content)}`);
  }
}

async function statusBecomes(kernel: Kernel.IKernelConnection, status: Kernel.Status): Promise<void> {
  if (kernel.status === status) {
    return;
  }
  await new Promise<void>(resolve => {
    const on = (_: Kernel.IKernelConnection, s: Kernel.Status) => {
      if (s === status) {
        kernel.statusChanged.disconnect(on);
        resolve();
      }
    };
    kernel.statusChanged.connect(on);
  });
}

beforeAll(async () => {
  debug = jest.spyOn(console, 'debug').mockImplementation(() => undefined); // services' socket logs
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kernel-inspector-'));
  // A kernel whose language is not Python: a real wrapper kernel, installed for this server only.
  const spec = path.join(work, 'data', 'kernels', 'echo');
  fs.mkdirSync(spec, { recursive: true });
  fs.writeFileSync(
    path.join(spec, 'kernel.json'),
    JSON.stringify({
      argv: [path.join(VENV_BIN, 'python'), path.join(__dirname, 'echo_kernel.py'), '-f', '{connection_file}'],
      display_name: 'Echo',
      language: 'echo'
    })
  );
  const port = await freePort();
  server = spawn(
    path.join(VENV_BIN, 'jupyter'),
    [
      'server',
      '--no-browser',
      '--allow-root',
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${port}`,
      '--ServerApp.port_retries=0',
      `--IdentityProvider.token=${TOKEN}`,
      `--ServerApp.root_dir=${work}`
    ],
    {
      cwd: work,
      env: {
        ...process.env,
        JUPYTER_PATH: path.join(work, 'data'),
        JUPYTER_CONFIG_DIR: path.join(work, 'config'),
        JUPYTER_RUNTIME_DIR: path.join(work, 'runtime')
      },
      stdio: ['ignore', 'ignore', 'pipe']
    }
  );
  let log = '';
  server.stderr!.on('data', chunk => (log = (log + String(chunk)).slice(-4000)));
  const baseUrl = `http://127.0.0.1:${port}/`;
  try {
    await waitForServer(baseUrl, 30000);
  } catch (error) {
    throw new Error(`${error}\n${log}`);
  }
  const serverSettings = ServerConnection.makeSettings({
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}/`,
    token: TOKEN,
    appendToken: true,
    WebSocket
  });
  manager = new KernelManager({ serverSettings });
  await manager.ready;
  python = await manager.startNew({ name: 'python3' });
  await python.info;
  await run(
    python,
    [
      'import pandas as pd',
      "stations = pd.DataFrame({'id': range(1000), 'rain_mm': [i * 0.5 for i in range(1000)]})",
      "unit = 'mm'"
    ].join('\n')
  );
});

afterAll(async () => {
  try {
    await manager?.shutdownAll();
  } finally {
    manager?.dispose();
    if (server && server.exitCode === null) {
      const exited = new Promise(resolve => server.once('exit', resolve));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(timer);
    }
    server?.stderr?.destroy();
    debug?.mockRestore();
    if (work) {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
});

describe('KernelInspector with a live kernel', () => {
  it('lists the variables of a Python kernel', async () => {
    const result = await new KernelInspector().inspect(python);
    expect(result.ok).toBe(true);
    if (!result.ok) {
      return;
    }
    expect(result.language).toBe('python');
    expect(result.variables.map(v => v.name)).toEqual(['stations', 'unit']);
    const stations = result.variables[0];
    expect(stations).toMatchObject({ kind: 'pandas-frame', shape: [1000, 2], rowColumns: ['id', 'rain_mm'] });
    expect(stations.head![1]).toEqual(['1', '1', '0.5']);
    expect(stations.tail![4]).toEqual(['999', '999', '499.5']);
    expect(formatKernelSummary(result, 2000)).toContain('| stations | pandas.DataFrame | 1,000 × 2 |');
  });

  it('leaves the execution count and the namespace as they were', async () => {
    const before = await python.requestExecute({ code: 'pass' }).done;
    await new KernelInspector().inspect(python);
    await new KernelInspector().inspectVariable(python, { name: 'stations', column: 'rain_mm' });
    const after = await python.requestExecute({ code: 'pass' }).done;
    expect(after.content.execution_count).toBe(before.content.execution_count! + 1);
    const result = await new KernelInspector().inspect(python);
    expect(result.ok && result.variables.map(v => v.name)).toEqual(['stations', 'unit']);
  });

  it('describes one variable with a slice and a column', async () => {
    const result = await new KernelInspector().inspectVariable(python, {
      name: 'stations',
      start: 10,
      stop: 12,
      column: 'rain_mm'
    });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.variable.head).toEqual([
        ['10', '10', '5.0'],
        ['11', '11', '5.5']
      ]);
      expect(result.variable.columnStats).toMatchObject({ count: 1000, nulls: 0, min: 0, max: 499.5 });
    }
    const missing = await new KernelInspector().inspectVariable(python, { name: 'nope' });
    expect(missing).toMatchObject({ ok: false, reason: 'not-found' });
  });

  it('says busy when the kernel stays busy, and waits when it frees up in time', async () => {
    const sleeping = python.requestExecute({ code: 'import time; time.sleep(4)' });
    await statusBecomes(python, 'busy');
    const started = Date.now();
    const impatient = await new KernelInspector({ busyWaitMs: 1000 }).inspect(python);
    expect(impatient).toMatchObject({ ok: false, reason: 'busy' });
    expect(Date.now() - started).toBeLessThan(3000);
    const patient = await new KernelInspector({ busyWaitMs: 15000 }).inspect(python);
    expect(patient.ok).toBe(true);
    await sleeping.done;
  });

  it('gives up waiting after its time limit without interrupting the kernel', async () => {
    await run(python, 'import time\nclass Slow:\n    def __len__(self):\n        time.sleep(30)\nslow = Slow()');
    const inspector = new KernelInspector({ timeoutMs: 800, limits: { perVariableSeconds: 2, budgetSeconds: 2 } });
    const result = await inspector.inspect(python);
    expect(result).toMatchObject({ ok: false, reason: 'timeout' });
    await statusBecomes(python, 'idle');
    const later = await new KernelInspector().inspect(python);
    expect(later.ok && later.variables.find(v => v.name === 'slow')?.error).toMatch(/^gave up after/);
    await run(python, 'del slow, Slow');
  });

  it('says the language is not supported for a kernel that is not Python', async () => {
    const echo = await manager.startNew({ name: 'echo' });
    const info = await echo.info;
    expect(info.language_info.name).toBe('echo');
    const result = await new KernelInspector().inspect(echo);
    expect(result).toMatchObject({ ok: false, reason: 'not-python', language: 'echo' });
    await echo.shutdown();
  });

  it('says the kernel is dead after it was shut down, and when there is none', async () => {
    const doomed = await manager.startNew({ name: 'python3' });
    await doomed.info;
    await doomed.shutdown();
    expect(await new KernelInspector().inspect(doomed)).toMatchObject({ ok: false, reason: 'dead' });
    expect(await new KernelInspector().inspect(null)).toMatchObject({ ok: false, reason: 'no-kernel' });
  });
});
