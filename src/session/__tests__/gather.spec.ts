import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_SETTINGS } from '../../claude/settings';
import { fakeAnthropicKey, loadNotebook } from '../../context/__tests__/fixtures';
import { parseReplyText, toInspection } from '../../kernel/reply';
import type { KernelInspectionResult } from '../../kernel/types';
import { ContextSelection } from '../../context/selection';
import { gatherContext, type INotebookContextInputs } from '../gather';

// A reply recorded from a real ipykernel by tests/test_kernel_inspector.py.
const recorded = fs.readFileSync(
  path.join(__dirname, '..', '..', 'kernel', '__tests__', 'fixtures', 'python-list-reply.json'),
  'utf-8'
);

function inputs(overrides: Partial<INotebookContextInputs> = {}): INotebookContextInputs & { inspected: number } {
  const state = {
    inspected: 0,
    notebook: () => loadNotebook('nls_incarceration'),
    activeCellId: () => 'nls-incarceration-3',
    selectedCellIds: () => [],
    kernel: () => null,
    settings: () => DEFAULT_SETTINGS,
    selection: new ContextSelection(),
    inspectKernel: async (): Promise<KernelInspectionResult> => {
      state.inspected++;
      const parsed = parseReplyText(JSON.stringify(JSON.parse(recorded)));
      if (!parsed.ok) {
        throw new Error(parsed.message);
      }
      return toInspection(parsed.reply);
    },
    ...overrides
  };
  return state;
}

describe('gatherContext', () => {
  it('gathers the notebook and the kernel variables within the budget', async () => {
    const source = inputs();
    const context = (await gatherContext(source))!;
    expect(source.inspected).toBe(1);
    expect(context.stableText).toContain('# Notebook context');
    expect(context.volatileText).toContain('df.groupby');
    expect(context.parts.map(p => p.id)).toEqual(expect.arrayContaining(['variables', 'nls-incarceration-3']));
    expect(context.totalTokens).toBeLessThanOrEqual(DEFAULT_SETTINGS.contextBudgetTokens);
    expect(context.notes).toEqual([]);
  });

  it('does not ask the kernel when the scientist removed the variables or turned inspection off', async () => {
    const removed = inputs();
    removed.selection.exclude('variables');
    const context = (await gatherContext(removed))!;
    expect(removed.inspected).toBe(0);
    expect(context.parts.map(p => p.id)).not.toContain('variables');
    expect(context.volatileText).not.toContain('## Kernel variables');
    // Still named, so Claude knows to ask and the scientist can add them back.
    expect(context.omitted).toContainEqual(
      expect.objectContaining({ id: 'variables', cause: 'removed', reason: 'removed by the scientist' })
    );
    expect(context.volatileText).toContain('Kernel variables: left out');
    const off = inputs({ settings: () => ({ ...DEFAULT_SETTINGS, inspectKernel: false }) });
    await gatherContext(off);
    expect(off.inspected).toBe(0);
  });

  it('says why the variables are missing when the kernel cannot be asked', async () => {
    const context = (await gatherContext(
      inputs({
        inspectKernel: async () => ({ ok: false, reason: 'busy', message: 'The kernel is busy running a cell.' })
      })
    ))!;
    expect(context.notes).toEqual(['The kernel is busy running a cell.']);
    expect(context.volatileText).toContain('The kernel is busy running a cell.');
  });

  it('attaches cells the scientist added and redacts secrets in outputs', async () => {
    const key = fakeAnthropicKey();
    const nb = loadNotebook('nls_incarceration');
    nb.cells[1].outputs = [{ output_type: 'stream', name: 'stdout', text: `ANTHROPIC_API_KEY=${key}\n` }];
    const source = inputs({ notebook: () => nb });
    source.selection.attach([nb.cells[1].id as string]);
    const context = (await gatherContext(source))!;
    expect(context.parts.map(p => p.id)).toContain(nb.cells[1].id);
    expect(`${context.stableText}${context.volatileText}`).not.toContain(key);
    expect(context.redactions).toBeGreaterThan(0);
  });

  it('returns nothing for a closed notebook', async () => {
    expect(await gatherContext(inputs({ notebook: () => null }))).toBeNull();
  });
});
