/*
 * Benchmark of the notebook context builder (src/context/).
 *
 * Builds a 500-cell notebook with about 20 MB of outputs from the real executed fixtures in
 * src/context/__tests__/fixtures/ (printed streams, DataFrame HTML, matplotlib PNGs,
 * tracebacks), then measures for a few budgets:
 *   - the context's tokens against the naive full-notebook JSON's estimated tokens,
 *   - the median build time over 20 runs (goal: at most 20 ms),
 *   - that the needed facts are present: the active cell's source, the last error, and the
 *     columns and dtypes of the frame shown in the active cell's output.
 *
 *   node bench/context_budget.js [--json] [--runs 20]
 *
 * It compiles src/context/*.ts to CommonJS in a temporary folder with the project's own
 * TypeScript, so it needs no build step and no other package.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..');
const FIXTURES = path.join(ROOT, 'src', 'context', '__tests__', 'fixtures');
const BUDGETS = [8000, 16000, 32000];
const GOAL_MS = 20;

function loadContextLibrary() {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'context-bench-'));
  const transpile = (from, to) => {
    const { outputText } = ts.transpileModule(fs.readFileSync(from, 'utf-8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true }
    });
    fs.writeFileSync(to, outputText);
  };
  // src/context/ and the one module of src/ it imports, in the same layout.
  const source = path.join(ROOT, 'src', 'context');
  fs.mkdirSync(path.join(out, 'context'));
  for (const name of fs.readdirSync(source)) {
    if (name.endsWith('.ts')) {
      transpile(path.join(source, name), path.join(out, 'context', name.replace(/\.ts$/, '.js')));
    }
  }
  transpile(path.join(ROOT, 'src', 'unicode.ts'), path.join(out, 'unicode.js'));
  return require(path.join(out, 'context', 'index.js'));
}

function load(name) {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.ipynb`), 'utf-8'));
}

function clone(value) {
  return JSON.parse(JSON.stringify(value));
}

/**
 * 500 cells: real cells from the fixtures, repeated with new ids and execution counts.
 */
function synthesiseNotebook() {
  const nls = load('nls_incarceration');
  const pandas = load('pandas_errors');
  const plots = load('plots');
  const stream = load('long_stream');
  const byId = nb => Object.fromEntries(nb.cells.map(cell => [cell.id, cell]));
  const cells = { ...byId(nls), ...byId(pandas), ...byId(plots), ...byId(stream) };
  // One of each kind of heavy output, then light cells in between.
  const cycle = [
    'nls-incarceration-0', // markdown
    'long-stream-0', // 20,000 printed lines (~300 KB)
    'pandas-errors-2', // DataFrame 1,000 × 12
    'plots-1', // PNG 568×434
    'plots-2', // PNG 977×659
    'pandas-errors-5', // RecursionError, 978 frames
    'nls-incarceration-2', // describe()
    'pandas-errors-4', // KeyError in pandas
    'nls-incarceration-3', // groupby
    'pandas-errors-3', // dtypes
    'long-stream-1', // "done"
    'nls-incarceration-4', // two printed lines
    'plots-3', // SVG and JavaScript
    'pandas-errors-6', // a coloured warning
    'nls-incarceration-1' // df.head()
  ];
  const notebook = clone(nls);
  notebook.cells = [];
  let count = 0;
  for (let i = 0; notebook.cells.length < 500; i++) {
    const cell = clone(cells[cycle[i % cycle.length]]);
    cell.id = `${cell.id}-${i}`;
    if (cell.cell_type === 'code') {
      cell.execution_count = ++count;
    }
    notebook.cells.push(cell);
  }
  // The scientist is looking at the DiscoveryBench frame and its dtypes, in cell #251...
  const active = clone(cells['nls-incarceration-1']);
  active.id = 'active-frame';
  active.source = [...active.source.slice(0, -1), 'print(df.dtypes)\n', ...active.source.slice(-1)];
  const dtypes = cells['nls-incarceration-6'].outputs[0].data['text/plain'];
  active.outputs = [{ output_type: 'stream', name: 'stdout', text: dtypes }, ...active.outputs];
  active.execution_count = ++count;
  notebook.cells[250] = active;
  // ...and the latest error is the typo'd column, in cell #401.
  const error = clone(cells['nls-incarceration-5']);
  error.id = 'latest-error';
  error.execution_count = ++count;
  notebook.cells[400] = error;
  return notebook;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function facts(context) {
  const text = context.text;
  const columns = [
    'race',
    'sex',
    'ever_jailed',
    'composite_wealth_1985',
    'composite_wealth_1990',
    'composite_wealth_1996'
  ];
  return {
    activeSource: text.includes('df = pd.read_csv(') && text.includes('print(df.dtypes)'),
    lastError: text.includes("KeyError: 'Column not found: wealth_chnage'") && text.includes('id=latest-error'),
    columns: columns.every(column => text.includes(`| ${column} `) || text.includes(`| ${column} |`)),
    dtypes: /composite_wealth_1985\s+int64/.test(text) && /race\s+str/.test(text)
  };
}

function main() {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 20;
  const context = loadContextLibrary();
  const notebook = synthesiseNotebook();
  const serialised = JSON.stringify(notebook);
  const naiveTokens = context.estimateTokens(serialised);
  const outputBytes = Buffer.byteLength(JSON.stringify(notebook.cells.map(cell => cell.outputs || [])), 'utf-8');
  const results = [];
  for (const budgetTokens of BUDGETS) {
    const request = { notebook, activeCellId: 'active-frame', budgetTokens };
    for (let i = 0; i < 3; i++) {
      context.buildContext(request); // warm up the JIT
    }
    const times = [];
    const cpuTimes = [];
    let built;
    for (let i = 0; i < runs; i++) {
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      built = context.buildContext(request);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      const used = process.cpuUsage(cpu);
      cpuTimes.push((used.user + used.system) / 1000);
    }
    const found = facts(built);
    results.push({
      budgetTokens,
      contextTokens: built.totalTokens,
      naiveTokens,
      ratio: naiveTokens / built.totalTokens,
      medianMs: median(times),
      maxMs: Math.max(...times),
      // CPU time is steadier than wall time on a shared machine.
      medianCpuMs: median(cpuTimes),
      withinGoal: median(times) <= GOAL_MS,
      withinBudget: built.totalTokens <= budgetTokens,
      blocks: built.blocks.length,
      images: built.blocks.filter(block => block.kind === 'image').length,
      omitted: built.omitted.length,
      facts: found,
      allFacts: Object.values(found).every(Boolean)
    });
  }
  const summary = {
    cells: notebook.cells.length,
    notebookBytes: Buffer.byteLength(serialised, 'utf-8'),
    outputBytes,
    naiveTokens,
    runs,
    goalMs: GOAL_MS,
    node: process.version,
    loadAverage: os.loadavg()[0],
    cpus: os.cpus().length,
    results
  };
  if (json) {
    console.log(JSON.stringify(summary, null, 2));
  } else {
    const mb = bytes => (bytes / 1024 / 1024).toFixed(1);
    console.log(
      `${summary.cells} cells, notebook ${mb(summary.notebookBytes)} MB (outputs ${mb(outputBytes)} MB), ` +
        `naive JSON ≈ ${naiveTokens.toLocaleString('en-US')} tokens; median of ${runs} runs, ${process.version}, ` +
        `load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`
    );
    console.table(
      results.map(r => ({
        budget: r.budgetTokens,
        'context tokens': r.contextTokens,
        'naive / context': `${Math.round(r.ratio)}×`,
        'median ms': r.medianMs.toFixed(2),
        'max ms': r.maxMs.toFixed(2),
        'median CPU ms': r.medianCpuMs.toFixed(2),
        [`≤ ${GOAL_MS} ms`]: r.withinGoal ? 'yes' : 'NO',
        'in budget': r.withinBudget ? 'yes' : 'NO',
        blocks: r.blocks,
        images: r.images,
        omitted: r.omitted,
        facts: r.allFacts ? 'all present' : JSON.stringify(r.facts)
      }))
    );
  }
  process.exitCode = results.every(r => r.allFacts && r.withinBudget) ? 0 : 1;
}

main();
