/*
 * Benchmark of what the extension costs JupyterLab's start-up, in real JupyterLab and Chromium.
 *
 * Starts JupyterLab twice, side by side (with the extension, and the same JupyterLab without it), opens a notebook by
 * its URL in a fresh browser each time, alternating between the two, and reports:
 *   - the extension's JavaScript loaded before the Claude panel is opened, gzipped (goal: at
 *     most 40 KB), and its share of all the JavaScript JupyterLab loads by then,
 *   - the time from navigation to a ready notebook (cells shown, kernel idle), median of
 *     --runs loads, with and without the extension (goal: within 5%).
 *
 *   node bench/startup.js [--json] [--runs 9] [--labextension DIR] [--lab-port 8946]
 *   (--lab-port and the port after it: the JupyterLabs with and without the extension)
 */
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');

const ROOT = path.resolve(__dirname, '..');
const { chromium } = require(path.join(ROOT, 'ui-tests', 'node_modules', 'playwright-core'));
const JUPYTER = path.join(ROOT, '.venv', 'bin', 'jupyter');

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1];
}
const JSON_OUT = process.argv.includes('--json');
const RUNS = Number(option('runs', 9));
const LAB_PORT = Number(option('lab-port', 8946));
const LABEXTENSION = option('labextension', path.join(ROOT, 'jupyterlab_claude', 'labextension'));
const NAME = 'jupyterlab-claude';

async function startLab(jupyterPath, root, port) {
  const child = spawn(
    JUPYTER,
    ['lab', '--config', path.join(ROOT, 'ui-tests', 'jupyter_server_test_config.py'), `--port=${port}`],
    {
      cwd: path.join(ROOT, 'ui-tests'),
      env: {
        ...process.env,
        JUPYTER_PATH: jupyterPath,
        ANTHROPIC_API_KEY: 'sk-ant-bench-startup',
        JUPYTERLAB_GALATA_ROOT_DIR: root
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true
    }
  );
  const log = [];
  child.stdout.on('data', d => log.push(String(d)));
  child.stderr.on('data', d => log.push(String(d)));
  const deadline = Date.now() + 120000;
  for (;;) {
    try {
      if ((await fetch(`http://localhost:${port}/lab`)).ok) {
        return child;
      }
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`jupyter lab did not start:\n${log.join('')}`);
    }
    await new Promise(r => setTimeout(r, 250));
  }
}

function stopLab(child) {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  return new Promise(r => setTimeout(r, 1500));
}

/** One cold load of the notebook: JavaScript fetched until it is ready, and the time to ready. */
async function load(browser, port) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const scripts = [];
  page.on('response', response => {
    const url = response.url();
    if (/\.js(\?|$)/.test(url) && response.status() === 200) {
      scripts.push(
        response
          .body()
          .then(body => ({ url, gzip: zlib.gzipSync(body, { level: 6 }).length }))
          .catch(() => null)
      );
    }
  });
  await page.goto(`http://localhost:${port}/lab/tree/bench.ipynb`);
  const readyMs = await page.evaluate(
    () =>
      new Promise(resolve => {
        const check = () => {
          const app = window.jupyterapp;
          const widget = app && app.shell && app.shell.currentWidget;
          const kernel = widget && widget.sessionContext && widget.sessionContext.session?.kernel;
          const cells = document.querySelectorAll('.jp-NotebookPanel .jp-Cell .cm-content');
          if (cells.length === 3 && kernel && kernel.status === 'idle') {
            resolve(performance.now());
          } else {
            setTimeout(check, 20);
          }
        };
        check();
      })
  );
  // What loads in the idle time after start-up counts too: the panel is not opened.
  await page.waitForTimeout(3000);
  const loaded = (await Promise.all(scripts)).filter(Boolean);
  await context.close();
  const ours = loaded.filter(s => s.url.includes(`/extensions/${NAME}/`));
  const sum = list => list.reduce((n, s) => n + s.gzip, 0);
  return {
    readyMs,
    extensionGzip: sum(ours),
    allGzip: sum(loaded),
    extensionFiles: ours.map(s => s.url.split('/').pop())
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'startup-bench-'));
  const root = path.join(work, 'root');
  fs.mkdirSync(root);
  const cell = source => ({ cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null });
  fs.writeFileSync(
    path.join(root, 'bench.ipynb'),
    JSON.stringify({
      cells: [cell('import math'), cell('x = [math.sqrt(i) for i in range(10)]'), cell('sum(x)')],
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' } },
      nbformat: 4,
      nbformat_minor: 5
    })
  );
  // The first labextensions folder naming the extension wins: with, the labextension given;
  // without, a package without a build, which JupyterLab skips ("not a valid extension").
  const folders = {};
  for (const variant of ['with', 'without']) {
    const dir = path.join(work, `jupyter-path-${variant}`);
    fs.mkdirSync(path.join(dir, 'labextensions'), { recursive: true });
    const target = path.join(dir, 'labextensions', NAME);
    if (variant === 'with') {
      fs.symlinkSync(path.resolve(LABEXTENSION), target);
    } else {
      fs.mkdirSync(target);
      fs.writeFileSync(
        path.join(target, 'package.json'),
        JSON.stringify({ name: NAME, version: '0.0.0', jupyterlab: {} })
      );
    }
    folders[variant] = dir;
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking']
  });
  // Both JupyterLabs run side by side and their loads alternate, so a drift in the machine's
  // speed (another process, the CPU's clock) falls on both alike rather than on one of them.
  const results = { with: [], without: [] };
  const ports = { with: LAB_PORT, without: LAB_PORT + 1 };
  const labs = [];
  try {
    for (const variant of ['with', 'without']) {
      labs.push(await startLab(folders[variant], root, ports[variant]));
      await load(browser, ports[variant]); // warm the server's caches and the kernel spec
    }
    for (let i = 0; i < RUNS; i++) {
      const order = i % 2 ? ['without', 'with'] : ['with', 'without'];
      for (const variant of order) {
        results[variant].push(await load(browser, ports[variant]));
      }
    }
  } finally {
    await browser.close();
    for (const lab of labs) {
      await stopLab(lab);
    }
  }
  const withExt = results.with;
  const leaked = median(results.without.map(r => r.extensionGzip));
  const out = {
    labextension: LABEXTENSION,
    runs: RUNS,
    extensionGzipKB: +(median(withExt.map(r => r.extensionGzip)) / 1024).toFixed(1),
    extensionFiles: withExt[0].extensionFiles,
    allJsGzipKB: +(median(withExt.map(r => r.allGzip)) / 1024).toFixed(1),
    shareOfJs: +(median(withExt.map(r => r.extensionGzip / r.allGzip)) * 100).toFixed(1),
    readyWithMs: Math.round(median(withExt.map(r => r.readyMs))),
    readyWithoutMs: Math.round(median(results.without.map(r => r.readyMs))),
    extensionGzipWithout: leaked,
    // Every load's time, in the order run: the spread says how far one median is to be trusted.
    readyWithAllMs: withExt.map(r => Math.round(r.readyMs)),
    readyWithoutAllMs: results.without.map(r => Math.round(r.readyMs))
  };
  out.readyRatio = +(out.readyWithMs / out.readyWithoutMs).toFixed(3);
  if (JSON_OUT) {
    console.log(JSON.stringify(out));
  } else {
    console.log(`Start-up with ${out.labextension} (median of ${RUNS} cold loads)`);
    console.log(`  extension JavaScript before the panel opens: ${out.extensionGzipKB} KB gzipped (goal <= 40 KB)`);
    console.log(
      `    ${out.shareOfJs}% of ${out.allJsGzipKB} KB gzipped JavaScript; files: ${out.extensionFiles.join(', ')}`
    );
    console.log(`  time to a ready notebook: ${out.readyWithMs} ms with, ${out.readyWithoutMs} ms without`);
    console.log(`  ratio: ${out.readyRatio} (goal <= 1.05)`);
    console.log(
      `    each load, with: ${out.readyWithAllMs.join(' ')} ms; without: ${out.readyWithoutAllMs.join(' ')} ms`
    );
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
