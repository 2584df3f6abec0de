import type { INotebookContent } from '@jupyterlab/nbformat';
import { buildContext, IContextRequest } from '../budget';
import { estimateTokens } from '../text';
import { fakeAnthropicKey, loadNotebook } from './fixtures';

/**
 * The fixtures joined into one notebook, as a scientist's long session would look.
 */
function sessionNotebook(): INotebookContent {
  const nb = loadNotebook('nls_incarceration');
  for (const name of ['pandas_errors', 'plots', 'long_stream']) {
    nb.cells.push(...loadNotebook(name).cells);
  }
  return nb;
}

function kinds(request: IContextRequest) {
  return buildContext(request).blocks.map(block => `${block.kind}:${block.id}`);
}

describe('buildContext', () => {
  it('puts the active cell, its outputs and the last error into the context', () => {
    const context = buildContext({
      notebook: loadNotebook('nls_incarceration'),
      activeCellId: 'nls-incarceration-3',
      budgetTokens: 8000
    });
    const active = context.blocks.find(b => b.kind === 'active-cell')!;
    expect(active.title).toBe('Active cell #4 (code In[3], id=nls-incarceration-3)');
    expect(active.text).toContain("df.groupby(['race', 'ever_jailed'])['composite_wealth_1996'].median()");
    expect(active.text).toContain('Name: composite_wealth_1996');
    const error = context.blocks.find(b => b.kind === 'error')!;
    expect(error.id).toBe('nls-incarceration-5');
    expect(error.text).toContain("KeyError: 'Column not found: wealth_chnage'");
    expect(context.omitted).toEqual([]);
    expect(context.text).not.toContain('Left out');
  });

  it('does not repeat the error when the active cell raised it', () => {
    const context = buildContext({
      notebook: loadNotebook('nls_incarceration'),
      activeCellId: 'nls-incarceration-5',
      budgetTokens: 8000
    });
    expect(context.blocks.filter(b => b.kind === 'error')).toEqual([]);
    expect(context.blocks.find(b => b.kind === 'active-cell')!.text).toContain('wealth_chnage');
  });

  it('orders the text from stable to volatile: outline, variables, outputs, selection, error, active cell', () => {
    const order = kinds({
      notebook: loadNotebook('nls_incarceration'),
      activeCellId: 'nls-incarceration-1',
      selectedCellIds: ['nls-incarceration-2'],
      kernelSummary: 'df: DataFrame 1,000 rows × 6 columns',
      budgetTokens: 8000
    });
    expect(order).toEqual([
      'outline:outline',
      'variables:variables',
      'output:nls-incarceration-3',
      'output:nls-incarceration-4',
      'output:nls-incarceration-6',
      'selected-cell:nls-incarceration-2',
      'error:nls-incarceration-5',
      'active-cell:nls-incarceration-1'
    ]);
  });

  it('gives the same text for the same notebook, and keeps the outline first when the selection changes', () => {
    const request = { notebook: sessionNotebook(), activeCellId: 'pandas-errors-2', budgetTokens: 6000 };
    expect(buildContext(request)).toEqual(buildContext(request));
    const a = buildContext(request).text;
    const b = buildContext({ ...request, selectedCellIds: ['nls-incarceration-1'] }).text;
    const outlineEnd = a.indexOf('\n\n## ', a.indexOf('## Outline'));
    expect(b.slice(0, outlineEnd)).toBe(a.slice(0, outlineEnd));
  });

  it.each([300, 800, 1500, 3000, 6000, 12000, 30000])('never exceeds a budget of %i tokens', budget => {
    const context = buildContext({
      notebook: sessionNotebook(),
      activeCellId: 'long-stream-0',
      selectedCellIds: ['pandas-errors-2', 'plots-2'],
      extraCellIds: ['nls-incarceration-2'],
      kernelSummary: 'x'.repeat(20000),
      budgetTokens: budget
    });
    const images = context.blocks.reduce((sum, b) => sum + (b.image?.tokens ?? 0), 0);
    expect(context.totalTokens).toBe(estimateTokens(context.text) + images);
    expect(context.totalTokens).toBeLessThanOrEqual(budget);
    for (const block of context.blocks) {
      expect(context.text).toContain(block.text);
    }
  });

  it('names everything it left out, in the result and in the text', () => {
    const context = buildContext({
      notebook: sessionNotebook(),
      activeCellId: 'pandas-errors-3',
      budgetTokens: 2500
    });
    expect(context.omitted.length).toBeGreaterThan(0);
    const leftOut = context.text.slice(context.text.indexOf('## Left out'));
    expect(leftOut).toMatch(/^## Left out \(ask for any of these by cell number or id\)/);
    const shown = new Set(context.blocks.map(b => `${b.kind}:${b.id}`));
    for (const part of context.omitted) {
      expect(shown.has(`${part.kind}:${part.id}`)).toBe(false);
      const reference = part.cellIndex === undefined ? part.id : `#${part.cellIndex + 1}`;
      const mentioned = leftOut.includes(reference) || /cells #\d+–#\d+/.test(leftOut);
      expect(mentioned).toBe(true);
    }
  });

  it('shrinks the outline to the cells near the active one when it does not fit', () => {
    const nb = sessionNotebook();
    for (let i = 0; i < 6; i++) {
      nb.cells.push(...sessionNotebook().cells.map(cell => ({ ...cell, id: `${cell.id}-copy${i}` })));
    }
    const context = buildContext({ notebook: nb, activeCellId: 'pandas-errors-2-copy3', budgetTokens: 1200 });
    const outline = context.blocks.find(b => b.kind === 'outline')!;
    expect(outline.text).toContain('id=pandas-errors-2-copy3');
    expect(outline.text).toMatch(/… \d+ cells not shown \(#1–#\d+\) …/);
    expect(
      context.omitted.filter(p => p.kind === 'outline' && p.reason === 'outside the outline window').length
    ).toBeGreaterThan(50);
  });

  it('attaches the plot of the active cell as an image block', () => {
    const context = buildContext({ notebook: loadNotebook('plots'), activeCellId: 'plots-2', budgetTokens: 4000 });
    const ids = context.blocks.map(b => b.id);
    const image = context.blocks.find(b => b.id === 'plots-2/outputs/0')!;
    expect(ids.indexOf('plots-2/outputs/0')).toBe(ids.indexOf('plots-2') + 1);
    expect(image.image).toMatchObject({ mimeType: 'image/png', width: 977, height: 659, needsDownsample: true });
    expect(image.text).toMatch(
      /\[image\/png 977×659 \(\d+ KB\), sent at most 768 px wide or high: attached as an image\]/
    );
    expect(image.tokens).toBeGreaterThan(image.image!.tokens);
  });

  it('leaves images out beyond the image limit and says so', () => {
    const context = buildContext({
      notebook: loadNotebook('plots'),
      activeCellId: 'plots-2',
      budgetTokens: 8000,
      options: { maxImages: 1 }
    });
    expect(context.blocks.filter(b => b.kind === 'image')).toHaveLength(1);
    expect(context.omitted).toContainEqual(
      expect.objectContaining({ kind: 'image', id: 'plots-1/outputs/0', reason: 'image limit' })
    );
    expect(context.text).toMatch(
      /- 2 images \(image limit, ≈[\d,]+ tokens\): #2 \(plots-1\/outputs\/0\), #4 \(plots-3\/outputs\/0\)/
    );
  });

  it('redacts a key planted in an output, in the source and in the kernel summary', () => {
    const key = fakeAnthropicKey();
    const nb = loadNotebook('nls_incarceration');
    nb.cells[4].outputs = [{ output_type: 'stream', name: 'stdout', text: [`ANTHROPIC_API_KEY=${key}\n`] }];
    nb.cells[4].source = `import os\nos.environ["ANTHROPIC_API_KEY"] = "${key}"`;
    const context = buildContext({
      notebook: nb,
      activeCellId: 'nls-incarceration-4',
      kernelSummary: `secret_key: str = '${key}'`,
      budgetTokens: 8000
    });
    expect(context.text).not.toContain(key);
    expect(context.text).not.toContain(key.slice(-20));
    expect(context.redactions).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(context)).not.toContain(key.slice(-20));
  });

  it('reports unknown cell ids instead of failing', () => {
    const context = buildContext({
      notebook: loadNotebook('plots'),
      activeCellId: 'gone',
      selectedCellIds: ['also-gone'],
      budgetTokens: 4000
    });
    expect(context.omitted).toEqual([
      { kind: 'active-cell', id: 'gone', title: 'active-cell', cause: 'missing', reason: 'no such cell', tokens: 0 },
      {
        kind: 'selected-cell',
        id: 'also-gone',
        title: 'selected-cell',
        cause: 'missing',
        reason: 'no such cell',
        tokens: 0
      }
    ]);
    expect(context.text).toContain('- 1 active cell (no such cell): gone');
  });

  it('splits the text into a stable beginning (heading, outline) and the volatile rest', () => {
    const context = buildContext({
      notebook: loadNotebook('nls_incarceration'),
      activeCellId: 'nls-incarceration-3',
      kernelSummary: '## Kernel variables\n- df: DataFrame 100 rows',
      budgetTokens: 8000
    });
    expect(context.text).toBe(`${context.stableText}\n\n${context.volatileText}`);
    expect(context.stableText).toContain('# Notebook context');
    expect(context.stableText).toContain('nls-incarceration-0');
    expect(context.stableText).not.toContain('Kernel variables');
    expect(context.volatileText).toContain('Kernel variables');
    expect(context.volatileText).toContain("KeyError: 'Column not found: wealth_chnage'");
  });

  it('leaves out what the scientist removed, and says so', () => {
    const request = {
      notebook: loadNotebook('nls_incarceration'),
      activeCellId: 'nls-incarceration-3',
      kernelSummary: '## Kernel variables\n- df: DataFrame 100 rows',
      budgetTokens: 8000
    };
    const full = buildContext(request);
    expect(full.blocks.map(b => b.id)).toEqual(expect.arrayContaining(['variables', 'nls-incarceration-5']));
    const trimmed = buildContext({ ...request, excludedIds: ['variables', 'nls-incarceration-5'] });
    expect(trimmed.blocks.map(b => b.id)).not.toContain('variables');
    expect(trimmed.blocks.map(b => b.id)).not.toContain('nls-incarceration-5');
    expect(trimmed.text).not.toContain('Kernel variables');
    expect(
      trimmed.omitted
        .filter(p => p.cause === 'removed')
        .map(p => p.id)
        .sort()
    ).toEqual(['nls-incarceration-5', 'variables']);
    // The cause is the data; the words stay for the scientist and for Claude.
    expect(trimmed.omitted.filter(p => p.cause === 'removed').map(p => p.reason)).toEqual([
      'removed by the scientist',
      'removed by the scientist'
    ]);
    expect(trimmed.totalTokens).toBeLessThan(full.totalTokens);
  });
});
