/**
 * @jest-environment node
 */
// The Python inspector's text, its request wrapper run by a real Python, and the reply parser
// and summaries on replies recorded from a real ipykernel (tests/test_kernel_inspector.py).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildPythonInspectorCode, pythonInspectorSource, pythonParams } from '../python';
import { parseReplyText, toInspection, toVariableDetail } from '../reply';
import { estimateTokens, formatKernelSummary, formatVariableDetail } from '../summary';
import { DEFAULT_LIMITS, type IKernelInspection, type KernelInspectionResult } from '../types';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf-8');

function python(): string {
  const venv = path.join(ROOT, '.venv', 'bin', 'python');
  return process.env.PYTHON ?? (fs.existsSync(venv) ? venv : 'python3');
}

function listing(name = 'python-list-reply.json'): IKernelInspection {
  const parsed = parseReplyText(JSON.stringify(JSON.parse(fixture(name))));
  if (!parsed.ok) {
    throw new Error(parsed.message);
  }
  return toInspection(parsed.reply);
}

describe('the Python inspector source', () => {
  let SOURCE = '';
  beforeAll(async () => {
    SOURCE = await pythonInspectorSource();
  });

  it('is the text of inspector.py, as bundled, loaded once', async () => {
    const file = fs.readFileSync(path.join(__dirname, '..', 'inspector.py'), 'utf-8');
    expect(SOURCE).toBe(file);
    expect(await pythonInspectorSource()).toBe(SOURCE);
  });

  it('is ASCII, so its JSON string is also a Python string literal', () => {
    // Tab and newline are the only control characters it may hold.
    // eslint-disable-next-line no-control-regex
    expect(/^[\x09\x0a\x20-\x7e]*$/.test(SOURCE)).toBe(true);
  });

  it('runs as built and leaves the namespace of a plain Python as it was', () => {
    const code = buildPythonInspectorCode(SOURCE, pythonParams({ ...DEFAULT_LIMITS, maxRows: 2 }));
    expect(code.split('\n')).toHaveLength(1);
    const script = [
      'import sys',
      'before = None',
      'readings = [3.5, 4.25, None]',
      'label = "north|south\\nwest"',
      'before = sorted(globals())',
      code,
      'sys.stderr.write(repr(sorted(globals()) == before))'
    ].join('\n');
    const inspection = inspectInPlainPython(script);
    expect(inspection.variables.map(v => v.name)).toEqual(['before', 'readings', 'label']);
    expect(inspection.variables[1]).toEqual({
      name: 'readings',
      type: 'list',
      kind: 'collection',
      length: 3,
      value: '[3.5, 4.25, None]'
    });
  });

  it('runs while user globals shadow its builtins, and an odd variable costs only its own entry', () => {
    const code = buildPythonInspectorCode(SOURCE, pythonParams(DEFAULT_LIMITS));
    const script = [
      'import sys',
      'err, _names, _repr = sys.stderr, lambda: sorted(vars(sys.modules["__main__"])), repr',
      'class ModuleFive:',
      '    pass',
      'ModuleFive.__module__ = 5',
      'module_five = ModuleFive()',
      'class ExitingLen:',
      '    def __len__(self):',
      '        raise SystemExit(3)',
      'exiting_len = ExitingLen()',
      'class Interrupting:',
      '    def __repr__(self):',
      '        raise KeyboardInterrupt()',
      'interrupting = Interrupting()',
      '__import__ = exec = globals = lambda *a, **k: 1 / 0',
      'len = type = isinstance = getattr = str = repr = print = "shadowed"',
      'json = "not json"',
      'after_them = 42',
      'before = None',
      'before = _names()',
      code,
      'err.write(_repr(_names() == before))'
    ].join('\n');
    const inspection = inspectInPlainPython(script);
    const byName = Object.fromEntries(inspection.variables.map(v => [v.name, v]));
    expect(byName.after_them).toMatchObject({ kind: 'scalar', value: '42' });
    expect(byName.module_five).toMatchObject({ type: 'ModuleFive', kind: 'object' });
    expect(byName.exiting_len.lengthError).toBe('SystemExit');
    expect(byName.interrupting).toEqual({
      name: 'interrupting',
      type: '__main__.Interrupting',
      kind: 'object',
      error: 'KeyboardInterrupt'
    });
    // The summary keeps every other variable and marks the odd one with its reason.
    const text = formatKernelSummary(inspection, 4000);
    expect(text).not.toContain('Kernel data: not available');
    expect(text).toContain('| after_them | int |');
    expect(text).toContain('not inspected: KeyboardInterrupt');
    expect(text).toContain('len() raised SystemExit');
  });

  it('asks for one variable in depth with the slice and column given', () => {
    const params = pythonParams(DEFAULT_LIMITS, { name: 'sales', column: 'price', start: 10, stop: 15 });
    expect(params).toMatchObject({ mode: 'detail', name: 'sales', column: 'price', start: 10, stop: 15, stats: false });
    expect(pythonParams(DEFAULT_LIMITS)).toMatchObject({ mode: 'list', max_reply_bytes: 65536 });
  });
});

describe('reading replies', () => {
  it('finds the reply line among other output on stdout', () => {
    const line = JSON.stringify(JSON.parse(fixture('python-list-reply.json')));
    const parsed = parseReplyText(`a thread printed this\n${line}\nand this\n`);
    expect(parsed.ok).toBe(true);
  });

  it('says so when there is no reply or it is cut', () => {
    expect(parseReplyText('nothing here\n')).toMatchObject({ ok: false, reason: 'error' });
    expect(parseReplyText('{"inspector":"jupyterlab-claude","protocol":1,"vari')).toMatchObject({
      ok: false,
      reason: 'error'
    });
  });

  it('types a real listing: frames, lazy frames, arrays, scalars and a broken repr', () => {
    const inspection = listing();
    const byName = Object.fromEntries(inspection.variables.map(v => [v.name, v]));
    expect(inspection.language).toBe('python');
    expect(inspection.libraries).toHaveProperty('pandas');
    expect(byName.sales).toMatchObject({ kind: 'pandas-frame', shape: [2_000_000, 4] });
    expect(byName.sales.columns?.[0]).toEqual({ name: 'region', dtype: 'category' });
    expect(byName.sales.head).toHaveLength(5);
    expect(byName.query).toMatchObject({ kind: 'polars-lazy', lazy: true, shape: [null, 2] });
    expect(byName.parts).toMatchObject({ kind: 'dask-frame', lazy: true, npartitions: 4 });
    expect(byName.grid.coords?.[0]).toEqual({ name: 'time', dims: ['time'], size: 3, dtype: 'int64' });
    expect(byName.broken.value).toMatch(/^<Broken instance/);
  });

  it('types a real detail reply and a missing variable', () => {
    const detail = toVariableDetail(JSON.parse(fixture('python-detail-reply.json')));
    expect(detail.ok).toBe(true);
    if (detail.ok) {
      expect(detail.variable.slice).toEqual([10, 15]);
      expect(detail.variable.columnStats).toMatchObject({ column: 'price', count: 2_000_000, nulls: 0 });
    }
    const missing = toVariableDetail({ protocol: 1, language: 'python', error: "no variable named 'x'" });
    expect(missing).toMatchObject({ ok: false, reason: 'not-found' });
  });
});

describe('formatKernelSummary', () => {
  it('shows a variables table and the first and last rows of each frame', () => {
    const text = formatKernelSummary(listing(), 4000);
    expect(text).toContain('| sales | pandas.DataFrame | 2,000,000 × 4 | 48 MB | region: category, units: int64');
    expect(text).toContain('`sales` (first 5 and last 5 of 2,000,000 rows):');
    expect(text).toContain('| query | polars.LazyFrame | ? × 2 |');
    expect(text).toContain('lazy: not collected; row count unknown');
    expect(text).toContain('| threshold | float |  |  | 0.05 |');
    expect(estimateTokens(text)).toBeLessThanOrEqual(4000);
  });

  it('drops rows, then columns, then variables to fit a small budget, and says so', () => {
    const inspection = listing();
    const full = formatKernelSummary(inspection, 100000);
    for (const budget of [500, 250, 120]) {
      const text = formatKernelSummary(inspection, budget);
      expect(estimateTokens(text)).toBeLessThanOrEqual(budget);
      expect(text.length).toBeLessThan(full.length);
    }
    expect(formatKernelSummary(inspection, 500)).not.toContain('(first 5 and last 5');
    expect(formatKernelSummary(inspection, 120)).toMatch(/Note: \d+ more variables not shown: rng, n, .*threshold/);
  });

  it('keeps a cell with pipes and newlines inside its table cell', () => {
    const inspection = listing();
    const label = { name: 'label', type: 'str', kind: 'text', length: 16, value: "'a|b\\nc'" };
    const text = formatKernelSummary({ ...inspection, variables: [label] }, 1000);
    expect(text).toContain("| label | str | len 16 |  | 'a\\|b\\\\nc' |");
  });

  it('explains why there is no data', () => {
    const result: KernelInspectionResult = { ok: false, reason: 'busy', message: 'The kernel stayed busy for 5 s.' };
    expect(formatKernelSummary(result, 100)).toBe('Kernel data: not available (busy): The kernel stayed busy for 5 s.');
  });

  it('describes one variable with its slice and column statistics', () => {
    const text = formatVariableDetail(toVariableDetail(JSON.parse(fixture('python-detail-reply.json'))), 3000);
    expect(text).toContain('Variable `sales`: pandas.DataFrame, 2,000,000 × 4');
    expect(text).toContain('`sales` (rows 10–14):');
    expect(text).toMatch(/Statistics of `price` \(float64\): count 2000000, nulls 0, min [\d.]+, max [\d.]+, mean/);
  });
});

/**
 * Run a script that ends by running the inspector in a plain Python; it writes `True` to
 * stderr when the namespace is as it was. Returns what the inspector found.
 */
function inspectInPlainPython(script: string): ReturnType<typeof toInspection> {
  const run = spawnSync(python(), ['-'], { input: script, encoding: 'utf-8' });
  expect(run.stderr).toBe('True');
  const parsed = parseReplyText(run.stdout);
  expect(parsed.ok).toBe(true);
  return toInspection((parsed as any).reply);
}
