import { lastError, outlineNotebook } from '../notebook';
import { fakeAnthropicKey, loadNotebook } from './fixtures';

describe('outlineNotebook', () => {
  it('lists each cell with its id, kind, execution count, first lines and outputs', () => {
    const outline = outlineNotebook(loadNotebook('nls_incarceration'));
    expect(outline.map(row => [row.id, row.kind, row.executionCount, row.outputSummary])).toEqual([
      ['nls-incarceration-0', 'markdown', null, ''],
      ['nls-incarceration-1', 'code', 1, 'DataFrame 5 rows × 6 cols'],
      ['nls-incarceration-2', 'code', 2, 'DataFrame 8 rows × 4 cols'],
      ['nls-incarceration-3', 'code', 3, 'race ever_jailed … (8 lines)'],
      ['nls-incarceration-4', 'code', 4, 'stdout 2 lines'],
      ['nls-incarceration-5', 'code', 5, "error: KeyError 'Column not found: wealth_chnage'"],
      ['nls-incarceration-6', 'code', 6, 'race str … (8 lines)']
    ]);
    expect(outline[1].firstLines).toEqual([
      'import pandas as pd',
      "df = pd.read_csv('../../../../examples/data/discoverybench/nls_incarceration/nls_incarceration_processed.csv')"
    ]);
    expect(outline[5].hasError).toBe(true);
  });

  it('keeps as many first lines as asked and redacts them', () => {
    const nb = loadNotebook('nls_incarceration');
    const key = fakeAnthropicKey();
    nb.cells[0].source = `KEY = "${key}"\nsecond line`;
    const [row] = outlineNotebook(nb, { firstLines: 1 });
    expect(row.firstLines).toEqual(['KEY = "[REDACTED:anthropic-key]"']);
    expect(row.lineCount).toBe(2);
  });

  it('describes images, streams and tables in one line each', () => {
    expect(outlineNotebook(loadNotebook('plots')).map(row => row.outputSummary)).toEqual([
      '',
      'image/png 568×434',
      'image/png 977×659',
      'image/svg+xml 40×20; javascript 36 chars'
    ]);
    expect(outlineNotebook(loadNotebook('long_stream'))[0].outputSummary).toBe('stdout 20,000 lines');
  });
});

describe('lastError', () => {
  it('finds the most recently executed error, with its cell and collapsed traceback', () => {
    const error = lastError(loadNotebook('pandas_errors'))!;
    expect(error).toMatchObject({
      cellId: 'pandas-errors-5',
      cellIndex: 5,
      executionCount: 5,
      ename: 'RecursionError',
      evalue: 'maximum recursion depth exceeded',
      truncated: false
    });
    expect(error.text).toContain('[previous frame repeated 973 more times]');
  });

  it('goes by execution count, not by position', () => {
    const nb = loadNotebook('pandas_errors');
    nb.cells[4].execution_count = 42;
    expect(lastError(nb)).toMatchObject({ cellId: 'pandas-errors-4', ename: 'KeyError', evalue: "'revenue'" });
  });

  it('returns null for a notebook without errors', () => {
    expect(lastError(loadNotebook('plots'))).toBeNull();
  });
});
