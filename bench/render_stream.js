/*
 * Benchmark of a long streaming answer in real JupyterLab and Chromium.
 *
 * Starts the local Messages API server with a generated answer of about 21,000 tokens (a
 * report: headings, paragraphs with inline math, lists, tables, Python cells, math blocks) sent
 * as text deltas of about 4 tokens every --delay-ms, starts JupyterLab with the extension (or
 * the labextension folder given), asks the question in the Claude panel and records a Chromium
 * trace of the page's main thread while the answer streams. It reports:
 *   - main-thread time per streamed event at the start of the answer (deltas 50-550) and
 *     after 20,000 tokens of it (the 500 deltas from there), and their ratio (goal <= 1.5),
 *   - the longest main-thread task while streaming (goal: none over 50 ms),
 *   - the time from the last event the server sent to the last change of the answer's DOM.
 *
 *   node bench/render_stream.js [--json] [--delay-ms 25] [--tokens 21000]
 *                               [--labextension DIR] [--lab-port 8926] [--mock-port 8936]
 *
 * Server event times (time.monotonic) and trace times (CLOCK_MONOTONIC) share one clock.
 */
'use strict';
const { spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const { chromium } = require(path.join(ROOT, 'ui-tests', 'node_modules', 'playwright-core'));
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const JUPYTER = path.join(ROOT, '.venv', 'bin', 'jupyter');

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1];
}
const JSON_OUT = process.argv.includes('--json');
const DELAY_MS = Number(option('delay-ms', 25));
const TOKENS = Number(option('tokens', 21000));
const LAB_PORT = Number(option('lab-port', 8926));
const MOCK_PORT = Number(option('mock-port', 8936));
const LABEXTENSION = option('labextension', null);
const PROFILE = Number(option('profile-at', 0));
// Adds Chromium's timeline events and prints where each window's time goes (a larger trace).
const BREAKDOWN = process.argv.includes('--breakdown');
// Prints the sampled allocations of the page's JavaScript over the stream, by function (what feeds GC).
const ALLOC = process.argv.includes('--alloc');
const START = [50, 550];
const AFTER_TOKENS = 20000;
const WINDOW = 500;
const END = 'End of the report.';

/** A deterministic pseudo-random source, so every run streams the same answer. */
function random(seed) {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** A long scientific answer in Markdown, about `tokens` tokens (4 characters each). */
function report(tokens) {
  const rand = random(16);
  const pick = list => list[Math.floor(rand() * list.length)];
  const words = (
    'sample measurement variance estimate model residual signal baseline cohort effect ' +
    'treatment control gradient spectrum intensity threshold replicate assay batch drift ' +
    'calibration uncertainty correlation regression outlier distribution median interval'
  ).split(' ');
  const sentence = () => {
    const n = 8 + Math.floor(rand() * 14);
    const out = Array.from({ length: n }, () => pick(words));
    if (rand() < 0.3) {
      out.splice(3, 0, `$\\sigma_${Math.floor(rand() * 9)} = ${(rand() * 3).toFixed(2)}$`);
    }
    if (rand() < 0.2) {
      out.splice(5, 0, `**${pick(words)}**`);
    }
    return out.join(' ').replace(/^./, c => c.toUpperCase()) + '.';
  };
  const paragraph = () => Array.from({ length: 2 + Math.floor(rand() * 4) }, sentence).join(' ');
  const parts = [];
  let length = 0;
  let section = 0;
  while (length < tokens * 4) {
    section++;
    const blocks = [`## ${section}. ${pick(words)} and ${pick(words)}`, paragraph(), paragraph()];
    blocks.push(Array.from({ length: 3 + Math.floor(rand() * 4) }, () => `- ${sentence()}`).join('\n'));
    if (section % 2) {
      const rows = Array.from(
        { length: 8 },
        (_, i) =>
          `| ${pick(words)} ${i} | ${(rand() * 100).toFixed(1)} | ${(rand() * 10).toFixed(2)} | ${pick(words)} |`
      );
      blocks.push(['| group | mean | sd | note |', '|---|---:|---:|---|', ...rows].join('\n'));
    } else {
      const lines = ['```python', 'import numpy as np', 'import pandas as pd', ''];
      for (let i = 0; i < 12; i++) {
        lines.push(`${pick(words)}_${i} = df["${pick(words)}"].rolling(${2 + i}).mean()  # ${pick(words)}`);
      }
      lines.push('print(summary.describe())', '```');
      blocks.push(lines.join('\n'));
    }
    if (section % 3 === 0) {
      blocks.push(`$$\n\\hat{\\beta} = (X^\\top X)^{-1} X^\\top y_{${section}}\n$$`);
    }
    blocks.push(`1. ${sentence()}\n2. ${sentence()}\n3. ${sentence()}`, paragraph());
    const text = blocks.join('\n\n') + '\n\n';
    parts.push(text);
    length += text.length;
  }
  return parts.join('') + END;
}

/** The answer as the Messages API streams it: text deltas of about four tokens each. */
function sse(text) {
  const rand = random(7);
  const deltas = [];
  for (let at = 0; at < text.length;) {
    const size = 10 + Math.floor(rand() * 13);
    deltas.push(text.slice(at, at + size));
    at += size;
  }
  const event = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const usage = { input_tokens: 40, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 };
  const message = {
    id: 'msg_bench_render_stream',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-6',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage
  };
  const out = [
    event('message_start', { message }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ...deltas.map(t => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: t } })),
    event('content_block_stop', { index: 0 }),
    event('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: Math.round(text.length / 4) }
    }),
    event('message_stop', {})
  ];
  return { sse: out.join(''), deltas };
}

function start(command, args, options, ready) {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const log = [];
  const onData = data => log.push(String(data));
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 120000;
    const poll = async () => {
      try {
        if ((await fetch(ready)).ok) {
          resolve(child);
          return;
        }
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null || Date.now() > deadline) {
        reject(new Error(`${command} did not start:\n${log.join('')}`));
        return;
      }
      setTimeout(poll, 250);
    };
    void poll();
  });
}

function stop(child) {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

/** Top-level tasks of the page's main thread and the renderer marks, in microseconds. */
function readTrace(buffer) {
  const events = JSON.parse(buffer.toString('utf-8')).traceEvents;
  const threads = new Map();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name' && e.args.name === 'CrRendererMain') {
      threads.set(`${e.pid}:${e.tid}`, []);
    }
  }
  const marks = events.filter(e => e.name === 'claude-render' && e.cat.includes('user_timing'));
  const main = marks.length ? `${marks[0].pid}:${marks[0].tid}` : [...threads.keys()][0];
  const tasks = events
    .filter(e => `${e.pid}:${e.tid}` === main && e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask')
    .map(e => ({ start: e.ts, end: e.ts + (e.dur || 0) }))
    .sort((a, b) => a.start - b.start);
  const timeline = events.filter(
    e => `${e.pid}:${e.tid}` === main && e.ph === 'X' && e.cat.split(',').includes('devtools.timeline')
  );
  return { tasks, timeline, marks: marks.filter(e => `${e.pid}:${e.tid}` === main).map(e => e.ts) };
}

const Private = {
  /** The functions on the stack during [from, to) of a CPU profile, by inclusive time (ms). */
  inclusive(profile, from, to) {
    const byId = new Map(profile.nodes.map(n => [n.id, n]));
    const parent = new Map();
    for (const n of profile.nodes) {
      for (const child of n.children || []) {
        parent.set(child, n.id);
      }
    }
    const sums = new Map();
    let at = profile.startTime;
    profile.samples.forEach((id, i) => {
      at += profile.timeDeltas[i] || 0;
      if (at < from || at >= to) {
        return;
      }
      const seen = new Set();
      for (let node = id; node !== undefined; node = parent.get(node)) {
        const f = byId.get(node).callFrame;
        const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop().split('?')[0]}:${f.lineNumber}`;
        if (!seen.has(key)) {
          seen.add(key);
          sums.set(key, (sums.get(key) || 0) + (profile.timeDeltas[i + 1] || 0) / 1000);
        }
      }
    });
    return [...sums]
      .filter(([k]) => !/^\((root|program|idle)\)/.test(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25);
  }
};

/** Main-thread time between two instants, in ms. */
function busy(tasks, from, to) {
  let total = 0;
  for (const t of tasks) {
    total += Math.max(0, Math.min(t.end, to) - Math.max(t.start, from));
  }
  return total / 1000;
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'render-stream-bench-'));
  const fixtures = path.join(work, 'fixtures');
  fs.mkdirSync(fixtures);
  for (const name of fs.readdirSync(path.join(ROOT, 'mock_api', 'fixtures'))) {
    fs.copyFileSync(path.join(ROOT, 'mock_api', 'fixtures', name), path.join(fixtures, name));
  }
  const text = report(TOKENS);
  const { sse: stream, deltas } = sse(text);
  fs.writeFileSync(path.join(fixtures, 'bench_render_stream.sse'), stream);
  fs.writeFileSync(
    path.join(fixtures, 'bench_render_stream.json'),
    JSON.stringify({
      description: 'A long report streamed for the benchmark',
      status: 200,
      sse: 'bench_render_stream.sse',
      event_delay_ms: DELAY_MS
    })
  );
  const env = { ...process.env };
  if (LABEXTENSION) {
    // Found before the installed one: the first folder that has the extension wins.
    const data = path.join(work, 'jupyter-path');
    fs.mkdirSync(path.join(data, 'labextensions'), { recursive: true });
    fs.symlinkSync(path.resolve(LABEXTENSION), path.join(data, 'labextensions', 'jupyterlab-claude'));
    env.JUPYTER_PATH = data;
  }
  const key = `sk-ant-bench-${crypto.randomBytes(12).toString('hex')}`;
  const mockUrl = `http://127.0.0.1:${MOCK_PORT}`;
  const mock = await start(
    PYTHON,
    ['-m', 'mock_api', '--port', String(MOCK_PORT), '--api-key', key, '--fixtures', fixtures],
    { cwd: ROOT, env },
    `${mockUrl}/_mock/health`
  );
  const root = path.join(work, 'root');
  fs.mkdirSync(root);
  const lab = await start(
    JUPYTER,
    [
      'lab',
      '--config',
      path.join(ROOT, 'ui-tests', 'jupyter_server_test_config.py'),
      `--port=${LAB_PORT}`,
      // The test configuration gives a whole answer 60 s; this one streams for longer.
      '--ClaudeProxy.request_timeout=1800'
    ],
    {
      cwd: path.join(ROOT, 'ui-tests'),
      env: { ...env, ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: mockUrl, JUPYTERLAB_GALATA_ROOT_DIR: root }
    },
    `http://localhost:${LAB_PORT}/lab`
  );
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking']
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', error => console.error(`page error: ${error.message}`));
    page.on('console', message => message.type() === 'error' && console.error(`console: ${message.text()}`));
    await page.goto(`http://localhost:${LAB_PORT}/lab`);
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached', timeout: 120000 });
    await page.waitForSelector('.jp-SideBar.jp-mod-right li[data-id="jp-claude-panel"]');
    // A notebook beside the panel, as a scientist works.
    await page.evaluate(() => window.jupyterapp.commands.execute('notebook:create-new', { kernelName: 'python3' }));
    await page.waitForSelector('.jp-NotebookPanel .jp-Notebook');
    await page.locator('.jp-SideBar.jp-mod-right li[data-id="jp-claude-panel"]').click();
    const box = page.getByRole('textbox', { name: 'Ask Claude' });
    await box.waitFor();
    // While a scientist types the question, the panel renders a small answer off screen, so the
    // first real one does not pay for what runs once (MathJax's set-up, the highlighter's language).
    const warmUpStart = Date.now();
    await page.waitForFunction(() => !document.querySelector('.jp-Claude-warmUp'), null, { timeout: 60000 });
    const warmUpMs = Date.now() - warmUpStart;
    await page.evaluate(() => {
      const panel = document.querySelector('#jp-claude-panel');
      const seen = (window.__longTasks = []);
      new PerformanceObserver(list => list.getEntries().forEach(e => seen.push(e.duration))).observe({
        type: 'longtask',
        buffered: false
      });
      // The last change of the answer's DOM, in page time (a cheap note: the observer runs often).
      window.__lastRender = 0;
      new MutationObserver(records => {
        if (
          records.some(r =>
            (r.target.nodeType === 1 ? r.target : r.target.parentElement)?.closest(
              '.jp-Claude-turn-assistant .jp-Claude-turnBody'
            )
          )
        ) {
          window.__lastRender = performance.now();
        }
      }).observe(panel, { childList: true, subtree: true, characterData: true });
    });
    const queued = await fetch(`${mockUrl}/_mock/queue`, {
      method: 'POST',
      body: JSON.stringify({ fixture: 'bench_render_stream' })
    });
    if (!queued.ok) {
      throw new Error(await queued.text());
    }
    await browser.startTracing(page, {
      categories: ['toplevel', 'blink.user_timing', ...(BREAKDOWN ? ['devtools.timeline', 'v8'] : [])]
    });
    // With --breakdown, a sampled CPU profile of the whole stream says what fills the long tasks.
    const cdp = BREAKDOWN ? await page.context().newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const heap = ALLOC ? await page.context().newCDPSession(page) : null;
    if (heap) {
      await heap.send('HeapProfiler.enable');
      await heap.send('HeapProfiler.startSampling', {
        samplingInterval: 16384,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true
      });
    }
    await box.fill('Write the full report');
    await box.press('Enter');
    if (PROFILE) {
      // Where the main thread's time goes, for 10 s from the given second of the stream.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Profiler.enable');
      await page.waitForTimeout(PROFILE * 1000);
      await cdp.send('Profiler.start');
      await page.waitForTimeout(10000);
      const { profile } = await cdp.send('Profiler.stop');
      const self = new Map();
      const byId = new Map(profile.nodes.map(n => [n.id, n]));
      const dt = profile.timeDeltas;
      profile.samples.forEach((id, i) => {
        const f = byId.get(id).callFrame;
        const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
        self.set(key, (self.get(key) || 0) + (dt[i] || 0) / 1000);
      });
      console.error(
        [...self]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 40)
          .map(([k, v]) => `${v.toFixed(0).padStart(7)} ms  ${k}`)
          .join('\n')
      );
    }
    const answer = page.locator('.jp-Claude-turn-assistant').last();
    await answer.waitFor();
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('.jp-Claude-turn-assistant')].pop()?.getAttribute('data-status') !== 'streaming',
      null,
      { timeout: (deltas.length * DELAY_MS + 300000) | 0, polling: 1000 }
    );
    await page.waitForTimeout(3000);
    // One mark ties page time to trace time.
    const pageClock = await page.evaluate(() => {
      performance.mark('claude-render');
      return { now: performance.now(), lastRender: window.__lastRender };
    });
    const trace = readTrace(await browser.stopTracing());
    const cpu = cdp ? (await cdp.send('Profiler.stop')).profile : null;
    if (heap) {
      const { profile } = await heap.send('HeapProfiler.stopSampling');
      const self = new Map();
      let total = 0;
      const walk = node => {
        const f = node.callFrame;
        const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop().split('?')[0]}:${f.lineNumber}`;
        const size = node.selfSize || 0;
        total += size;
        self.set(key, (self.get(key) || 0) + size);
        (node.children || []).forEach(walk);
      };
      walk(profile.head);
      const byScript = new Map();
      const walkScripts = (node, script) => {
        const url = node.callFrame.url.split('/').pop().split('?')[0];
        const here = url || script;
        byScript.set(here, (byScript.get(here) || 0) + (node.selfSize || 0));
        (node.children || []).forEach(child => walkScripts(child, here));
      };
      walkScripts(profile.head, '(page)');
      console.error(
        'sampled allocations by script (built-ins count for their caller):\n' +
          [...byScript]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 15)
            .map(([k, v]) => `${(v / 1e6).toFixed(1).padStart(8)} MB  ${k}`)
            .join('\n')
      );
      console.error(`sampled allocations over the stream: ${(total / 1e6).toFixed(0)} MB; by function (self):`);
      console.error(
        [...self]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 30)
          .map(([k, v]) => `${(v / 1e6).toFixed(1).padStart(8)} MB  ${k}`)
          .join('\n')
      );
      const usage = await heap.send('Runtime.getHeapUsage');
      console.error(
        `heap in use at the end: ${(usage.usedSize / 1e6).toFixed(0)} MB of ${(usage.totalSize / 1e6).toFixed(0)} MB`
      );
    }
    const status = await answer.getAttribute('data-status');
    const longTasks = await page.evaluate(() => window.__longTasks);
    const complete = await answer
      .locator('.jp-Claude-turnBody')
      .evaluate((node, end) => node.textContent.includes(end), END);
    const requests = (await (await fetch(`${mockUrl}/_mock/requests`)).json()).requests;
    const sent = requests
      .filter(r => r.path === '/v1/messages')
      .pop()
      .events_sent_monotonic.map(t => t * 1e6);
    // Events: [message_start, content_block_start, ...deltas, stop, message_delta, message_stop].
    const deltaTime = i => sent[2 + i];
    let tokens = 0;
    let after = 0;
    while (after < deltas.length && tokens < AFTER_TOKENS) {
      tokens += deltas[after++].length / 4;
    }
    if (BREAKDOWN) {
      for (const [label, [from, to]] of [
        ['start', START],
        ['after', [after, Math.min(after + WINDOW, deltas.length - 1)]]
      ]) {
        const sums = new Map();
        for (const e of trace.timeline) {
          if (e.ts >= deltaTime(from) && e.ts < deltaTime(to)) {
            sums.set(e.name, (sums.get(e.name) || 0) + (e.dur || 0) / 1000 / (to - from));
          }
        }
        const top = [...sums].sort((a, b) => b[1] - a[1]).slice(0, 12);
        console.error(`${label} (ms per event): ${top.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
      }
    }
    if (BREAKDOWN) {
      // What fills each of the longest tasks: the timeline events inside it, by name (and the
      // script each function call ran), to find what to split.
      const inside = trace.tasks
        .filter(t => t.end > deltaTime(0) && t.start < sent[sent.length - 1])
        .sort((a, b) => b.end - b.start - (a.end - a.start))
        .slice(0, 5);
      for (const task of inside) {
        const sums = new Map();
        for (const e of trace.timeline) {
          if (e.ts >= task.start && e.ts < task.end) {
            const data = (e.args && e.args.data) || {};
            const where =
              data.functionName || data.url
                ? ` ${data.functionName || ''}@${(data.url || '').split('/').pop()}:${data.lineNumber ?? ''}`
                : '';
            const key = `${e.name}${where}`;
            sums.set(key, (sums.get(key) || 0) + (e.dur || 0) / 1000);
          }
        }
        const parts = [...sums].sort((a, b) => b[1] - a[1]).slice(0, 8);
        const functions = cpu ? Private.inclusive(cpu, task.start, task.end) : [];
        console.error(
          `task ${((task.end - task.start) / 1000).toFixed(0)} ms at ${((task.start - deltaTime(0)) / 1e6).toFixed(1)} s: ` +
            parts.map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ') +
            functions.map(([k, v]) => `\n    ${v.toFixed(1).padStart(6)} ms  ${k}`).join('')
        );
      }
    }
    const perEvent = ([from, to]) => busy(trace.tasks, deltaTime(from), deltaTime(to)) / (to - from);
    const startMs = perEvent(START);
    const afterMs = perEvent([after, Math.min(after + WINDOW, deltas.length - 1)]);
    const streamFrom = deltaTime(0);
    const streamTo = sent[sent.length - 1];
    const longest = Math.max(
      0,
      ...trace.tasks.filter(t => t.end > streamFrom && t.start < streamTo).map(t => (t.end - t.start) / 1000)
    );
    const top = trace.tasks
      .filter(t => t.end > streamFrom && t.start < streamTo)
      .sort((a, b) => b.end - b.start - (a.end - a.start))
      .slice(0, 5)
      .map(t => `${((t.end - t.start) / 1000).toFixed(0)} ms at ${((t.start - streamFrom) / 1e6).toFixed(1)} s`);
    const lastRender = trace.marks[trace.marks.length - 1] - (pageClock.now - pageClock.lastRender) * 1000;
    const result = {
      labextension: LABEXTENSION || 'installed',
      status,
      deltas: deltas.length,
      tokens: Math.round(text.length / 4),
      delayMs: DELAY_MS,
      streamSeconds: +((streamTo - streamFrom) / 1e6).toFixed(1),
      complete,
      startMsPerEvent: +startMs.toFixed(3),
      after20kMsPerEvent: +afterMs.toFixed(3),
      ratio: +(afterMs / startMs).toFixed(2),
      longestTaskMs: +longest.toFixed(1),
      // From the trace, like the longest task: the page's long-task observer misses a task
      // with no script of the page in it (a garbage collection, the compositor's paint).
      longTasksOver50ms: trace.tasks.filter(
        t => t.end > streamFrom && t.start < streamTo && (t.end - t.start) / 1000 > 50
      ).length,
      longTasksSeenByPage: longTasks.length,
      longestTasks: top,
      lastEventToFinalRenderMs: +((lastRender - streamTo) / 1000).toFixed(1),
      warmUpMs
    };
    if (JSON_OUT) {
      console.log(JSON.stringify(result));
    } else {
      console.log(
        `Streaming a ${result.tokens}-token answer, ${result.deltas} deltas ${DELAY_MS} ms apart (${result.labextension})`
      );
      console.log(`  main thread per event, deltas ${START[0]}-${START[1]}: ${result.startMsPerEvent} ms`);
      console.log(`  main thread per event, after ${AFTER_TOKENS} tokens:   ${result.after20kMsPerEvent} ms`);
      console.log(`  ratio: ${result.ratio} (goal <= 1.5)`);
      console.log(
        `  longest task while streaming: ${result.longestTaskMs} ms; tasks over 50 ms: ${result.longTasksOver50ms}` +
          ` (the page's long-task observer saw ${result.longTasksSeenByPage})`
      );
      console.log(`  longest tasks: ${top.join(', ')}`);
      console.log(`  last event to final render: ${result.lastEventToFinalRenderMs} ms`);
      console.log(`  answer shown to its end: ${complete} (${status})`);
      console.log(`  (the off-screen warm-up after the panel opened was done in ${warmUpMs} ms)`);
    }
  } finally {
    await browser.close();
    stop(lab);
    stop(mock);
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
