/**
 * Checkpoints in the modes that change the notebook without asking, on JupyterLab's real
 * notebook model: one checkpoint before a task's first change, restore brings the whole notebook
 * back and keeps the cards, and a checkpoint that cannot be taken makes the change ask.
 */
import type { IToolCallInfo, PermissionMode } from '../../agent/tokens';
import { NotebookProposals } from '../queue';
import type { IRunOutcome } from '../tokens';
import { loadModel, saved } from './fixtures';

/** The notebook's file and its checkpoints, as Jupyter's contents API keeps them. */
function setup(options: { failCreate?: boolean } = {}) {
  const model = loadModel();
  const file = { text: saved(model) };
  const checkpoints = new Map<string, string>();
  const calls: string[] = [];
  const queue = new NotebookProposals({
    notebook: () => model,
    runCell: async (): Promise<IRunOutcome> => ({ ok: true, outputs: [], executionCount: 3 }),
    checkpoints: {
      create: async () => {
        calls.push('create');
        if (options.failCreate) {
          throw new Error('the disk is full');
        }
        file.text = saved(model); // saved first, then the file checkpointed
        const id = `cp${checkpoints.size + 1}`;
        checkpoints.set(id, file.text);
        return { id, takenAt: '2026-12-02T18:00:00Z' };
      },
      restore: async id => {
        calls.push(`restore ${id}`);
        file.text = checkpoints.get(id)!;
        model.fromJSON(JSON.parse(file.text));
      }
    }
  });
  return { model, queue, calls, file };
}

let n = 0;
function call(mode: PermissionMode, task: object): IToolCallInfo {
  return { toolUseId: `toolu_${++n}`, model: 'claude-test', requestId: 'req_1', mode, task: task as never };
}

describe('checkpoints', () => {
  it('takes one checkpoint before a task changes anything without asking, and restores the whole notebook', async () => {
    const { model, queue, calls } = setup();
    const before = saved(model);
    const task = { outsideContent: false };
    await queue.propose('replace', { cell_id: 'load', source: 'raw = None' }, call('acceptEdits', task));
    await queue.propose('insert', { cell_id: 'load', cell_type: 'code', source: 'raw' }, call('acceptEdits', task));
    expect(calls).toEqual(['create']);
    expect(queue.checkpoint).toMatchObject({ id: 'cp1' });
    expect(saved(model)).not.toBe(before);

    expect(await queue.restoreCheckpoint()).toBeNull();
    expect(saved(model)).toBe(before);
    expect(calls).toEqual(['create', 'restore cp1']);
    // The cards stay, as the history of what happened; their undo no longer applies.
    expect(queue.proposals.map(p => p.status)).toEqual(['accepted', 'accepted']);
    expect(queue.proposals.every(p => !queue.canUndo(p.id))).toBe(true);
    expect(queue.checkpoint?.restoredAt).toBeTruthy();
  });

  it('takes a new checkpoint for the next task, and none for changes the scientist accepts', async () => {
    const { queue, calls } = setup();
    await queue.propose('replace', { cell_id: 'load', source: 'a = 1' }, call('acceptEdits', {}));
    await queue.propose('replace', { cell_id: 'load', source: 'a = 2' }, call('runInNotebook', {}));
    expect(calls).toEqual(['create', 'create']);
    expect(queue.checkpoint?.id).toBe('cp2');
    const asked = queue.propose('replace', { cell_id: 'load', source: 'a = 3' }, call('ask', {}));
    await new Promise(resolve => setTimeout(resolve, 0));
    await queue.accept(queue.proposals[2].id);
    await asked;
    expect(calls).toEqual(['create', 'create']);
  });

  it('asks instead when the checkpoint cannot be taken, and says why', async () => {
    const { model, queue } = setup({ failCreate: true });
    const before = saved(model);
    void queue.propose('replace', { cell_id: 'load', source: 'raw = None' }, call('acceptEdits', {}));
    await new Promise(resolve => setTimeout(resolve, 0));
    const [proposal] = queue.proposals;
    expect(proposal.status).toBe('pending');
    expect(proposal.asksBecause).toBe('a checkpoint of the notebook could not be taken first (the disk is full)');
    expect(saved(model)).toBe(before);
    expect(queue.checkpoint).toBeNull();
    expect(await queue.restoreCheckpoint()).toBe('There is no checkpoint to restore.');
  });
});
