/**
 * The tool registry: a tool's kind decides where it is offered and what a call waits for;
 * tools come and go at run time; every result is bounded and redacted.
 */
import { fakeAnthropicKey, loadNotebook } from '../../context/__tests__/fixtures';
import type { IProposalQueue } from '../../proposals/tokens';
import { PROPOSAL_TOOLS } from '../../proposals/tools';
import { ToolRegistry } from '../registry';
import { MAX_RESULT_CHARS } from '../result';
import type { ITool, IToolContext, IToolRegistry, ToolApproval } from '../tokens';
import { NOTEBOOK_READ_TOOLS } from '../tools';

function context(extra: Partial<IToolContext> = {}): IToolContext {
  const nb = loadNotebook('nls_incarceration');
  return {
    notebook: () => nb,
    kernel: () => null,
    notebookDir: () => '',
    inspectVariable: async () => ({ ok: false, reason: 'no-kernel', message: 'No kernel is running.' }),
    files: async () => {
      throw new Error('no files here');
    },
    ...extra
  };
}

function tool(name: string, kind: ITool['kind'], handler: ITool['handler']): ITool {
  return {
    name,
    kind,
    description: `The ${name} tool.`,
    input_schema: { type: 'object', properties: {} },
    describe: () => `Called ${name}`,
    handler
  };
}

/** A queue that records what was proposed and answers as the scientist would. */
function queue(decision: string): IProposalQueue & { proposed: any[] } {
  const proposed: any[] = [];
  return {
    proposed,
    proposals: [],
    changed: { connect: () => true, disconnect: () => true } as any,
    propose: async (kind, input, call) => {
      proposed.push({ kind, input, call });
      return { content: decision };
    },
    accept: async () => undefined,
    reject: () => undefined,
    canUndo: () => false,
    undo: () => null,
    cancelPending: () => undefined
  };
}

function registryWith(...tools: ReadonlyArray<ITool>[]): ToolRegistry {
  const registry = new ToolRegistry();
  tools.flat().forEach(t => registry.register(t));
  return registry;
}

describe('ToolRegistry', () => {
  it('does not offer write and run tools where the notebook has no proposal queue', async () => {
    const registry = registryWith(NOTEBOOK_READ_TOOLS, PROPOSAL_TOOLS);
    const names = registry
      .toolsFor(context())
      .definitions()
      .map(d => d.name);
    expect(names).toEqual(['read_cell', 'read_output', 'inspect_variable', 'list_files', 'read_file_head']);
    const refused = await registry.toolsFor(context()).run('insert_cell', { cell_id: null, source: 'x' });
    expect(refused).toEqual({ content: 'There is no tool named insert_cell.', isError: true });
  });

  it('sends write and run calls through the proposal queue, with the call provenance', async () => {
    const proposals = queue('The scientist accepted it.');
    const tools = registryWith(NOTEBOOK_READ_TOOLS, PROPOSAL_TOOLS).toolsFor(context({ proposals }));
    expect(tools.definitions().map(d => d.name)).toEqual(expect.arrayContaining(['insert_cell', 'run_cell']));
    const call = { toolUseId: 'toolu_1', model: 'claude-x', requestId: 'req_1' };
    const result = await tools.run('run_cell', { cell_id: 'nls-incarceration-3' }, call);
    expect(result).toEqual({ content: 'The scientist accepted it.' });
    expect(proposals.proposed).toEqual([{ kind: 'run', input: { cell_id: 'nls-incarceration-3' }, call }]);
    expect(tools.describe('run_cell', { cell_id: 'nls-incarceration-3' })).toBe('Asked to run cell #4');
  });

  it('offers an external tool only with an approval function, and runs it only once approved', async () => {
    const calls: unknown[] = [];
    const registry = registryWith([
      tool('uvvis_scan', 'external', async input => {
        calls.push(input);
        return { content: 'scanned' };
      })
    ]);
    expect(registry.toolsFor(context()).definitions()).toEqual([]);

    let answer!: (yes: boolean) => void;
    const asked: any[] = [];
    const approve: ToolApproval = request => {
      asked.push(request);
      return new Promise(resolve => (answer = resolve));
    };
    const tools = registry.toolsFor(context({ approve }));
    expect(tools.definitions().map(d => d.name)).toEqual(['uvvis_scan']);
    const pending = tools.run('uvvis_scan', { wavelength: 500 });
    await new Promise(resolve => setTimeout(resolve, 10));
    expect(asked).toEqual([expect.objectContaining({ tool: 'uvvis_scan', summary: 'Called uvvis_scan' })]);
    expect(calls).toEqual([]);
    answer(true);
    expect(await pending).toEqual({ content: 'scanned' });
    expect(calls).toEqual([{ wavelength: 500 }]);

    const rejected = registry.toolsFor(context({ approve: async () => false }));
    const result = await rejected.run('uvvis_scan', { wavelength: 600 });
    expect(result.isError).toBe(true);
    expect(calls).toEqual([{ wavelength: 500 }]);
  });

  it('adds and removes tools at run time, and says so', () => {
    const registry = registryWith(NOTEBOOK_READ_TOOLS);
    const tools = registry.toolsFor(context());
    const changes: IToolRegistry.IChange[] = [];
    registry.changed.connect((_, change) => changes.push(change));
    const added = registry.register(tool('skill_lookup', 'read', async () => ({ content: 'ok' })));
    expect(tools.definitions().map(d => d.name)).toContain('skill_lookup');
    added.dispose();
    expect(tools.definitions().map(d => d.name)).not.toContain('skill_lookup');
    expect(changes.map(c => [c.type, c.tool.name])).toEqual([
      ['added', 'skill_lookup'],
      ['removed', 'skill_lookup']
    ]);
  });

  it('refuses a name already taken, with a clear error', () => {
    const registry = registryWith(NOTEBOOK_READ_TOOLS);
    expect(() => registry.register(tool('read_cell', 'read', async () => ({ content: '' })))).toThrow(
      'Cannot register the tool "read_cell": a tool with that name is already registered.'
    );
    expect(registry.tools.filter(t => t.name === 'read_cell')).toHaveLength(1);
  });

  it('bounds and redacts every result, and turns a thrown error into an error result', async () => {
    const key = fakeAnthropicKey();
    const registry = registryWith([
      tool('chatty', 'read', async () => ({ content: `key=${key}\n` + 'x'.repeat(MAX_RESULT_CHARS * 2) })),
      tool('broken', 'read', async () => {
        throw new Error(`failed with ${key}`);
      })
    ]);
    const tools = registry.toolsFor(context());
    const chatty = await tools.run('chatty', {});
    expect(chatty.content.length).toBeLessThan(MAX_RESULT_CHARS + 100);
    expect(chatty.content).toMatch(/characters cut\]$/);
    expect(chatty.content).not.toContain(key);
    const broken = await tools.run('broken', {});
    expect(broken.isError).toBe(true);
    expect(broken.content).not.toContain(key);
  });
});
