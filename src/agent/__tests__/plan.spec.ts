/**
 * @jest-environment node
 */
/**
 * Plans: what a valid plan is, the scientist's edits before approval, what Claude is told,
 * steps marked done only with a cell that shows them, Stop, and a planned task through a real
 * conversation and the local Messages API server, leaving Plan mode on approval.
 */
import type { INotebookContent } from '@jupyterlab/nbformat';
import { nullTranslator } from '@jupyterlab/translation';
import { Conversation } from '../../claude/conversation';
import { createDirectClient } from '../../claude/direct';
import { DEFAULT_SETTINGS } from '../../claude/settings';
import { MOCK_KEY, MockApi } from '../../claude/__tests__/mockApi';
import { PROPOSAL_TOOLS } from '../../proposals/tools';
import { PermissionModes } from '../modes';
import { MAX_PLAN_STEPS, NotebookPlans, planProgress, validatePlanInput } from '../plan';
import { PLAN_TOOLS } from '../planTools';
import { ToolRegistry } from '../registry';
import type { IToolCallInfo, IToolContext, IToolResult } from '../tokens';
import { NOTEBOOK_READ_TOOLS } from '../tools';

const api = MockApi.forTestFile();
const trans = nullTranslator.load('jupyterlab_claude');

const call = (extra: Partial<IToolCallInfo> = {}): IToolCallInfo => ({
  toolUseId: 'toolu_plan',
  model: 'claude-sonnet-5-5',
  requestId: 'req_1',
  ...extra
});

const threeSteps = {
  title: 'Fix the broken cell and check the values',
  steps: [
    { goal: 'Fix the broken cell', evidence: "the fixed cell's output" },
    { goal: "Check the values' spread", evidence: "the output of cell 'numbers'" },
    { goal: 'Plot a histogram of the values', evidence: 'a histogram' }
  ]
};

/**
 * The agent notebook of the browser tests: 'numbers' has run, 'broken' has not, and a note.
 */
function notebook(): INotebookContent {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      {
        id: 'numbers',
        cell_type: 'code',
        source: 'values = [3, 1, 4, 1, 5]\nvalues[2] - values[1]',
        metadata: {},
        execution_count: 1,
        outputs: [{ output_type: 'execute_result', execution_count: 1, data: { 'text/plain': '3' }, metadata: {} }]
      },
      { id: 'broken', cell_type: 'code', source: "values['mean']", metadata: {}, execution_count: null, outputs: [] },
      { id: 'quiet', cell_type: 'code', source: 'x = 1', metadata: {}, execution_count: 2, outputs: [] },
      { id: 'note', cell_type: 'markdown', source: 'The spread is 3.', metadata: {} }
    ]
  };
}

function context(plans: NotebookPlans, nb = notebook()): IToolContext {
  return {
    notebook: () => nb,
    kernel: () => null,
    notebookDir: () => '',
    inspectVariable: async () => ({ ok: false, reason: 'no-kernel', message: 'No kernel is running.' }),
    files: async () => ({}),
    plans
  };
}

/**
 * Wait until a plan waits for the scientist.
 */
async function proposed(plans: NotebookPlans): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const plan = plans.plans.find(p => p.status === 'proposed');
    if (plan) {
      return plan.id;
    }
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  throw new Error('no plan was proposed');
}

describe('validatePlanInput', () => {
  it('takes a title and steps with goals and evidence, trimmed, emoji and all', () => {
    const checked = validatePlanInput({ title: '  Fit the 🌡️ model ', steps: [{ goal: ' fit ', evidence: ' R² ' }] });
    expect(checked).toEqual({
      ok: true,
      value: { title: 'Fit the 🌡️ model', steps: [{ goal: 'fit', evidence: 'R²' }] }
    });
  });

  it.each([
    [null, 'the input must be an object'],
    [{ steps: [{ goal: 'a', evidence: 'b' }] }, 'the title must be a non-empty string'],
    [{ title: 'T', steps: [] }, 'steps must be a non-empty array'],
    [{ title: 'T', steps: [{ goal: ' ', evidence: 'b' }] }, 'step 1 needs a goal'],
    [{ title: 'T', steps: [{ goal: 'a', evidence: 'b' }, { goal: 'c' }] }, 'step 2 needs the evidence'],
    [
      { title: 'T', steps: Array.from({ length: MAX_PLAN_STEPS + 1 }, () => ({ goal: 'a', evidence: 'b' })) },
      `at most ${MAX_PLAN_STEPS} steps`
    ]
  ])('refuses %j: %s', (input, message) => {
    const checked = validatePlanInput(input);
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.error).toContain(message);
  });

  it('goes back to Claude as an error result, with no card', async () => {
    const plans = new NotebookPlans();
    const result = await plans.propose({ title: 'T', steps: 'all of them' }, call());
    expect(result).toEqual({
      content: 'Not a valid plan: steps must be a non-empty array. Propose it again.',
      isError: true
    });
    expect(plans.plans).toHaveLength(0);
  });
});

describe('NotebookPlans', () => {
  it('approves the plan as the scientist edited it, and tells Claude that version', async () => {
    const plans = new NotebookPlans();
    const decided = plans.propose(threeSteps, call());
    const id = await proposed(plans);
    const [fix, spread, plot] = plans.plans[0].steps.map(step => step.id);
    plans.moveStep(id, spread, -1);
    plans.removeStep(id, plot);
    plans.editStep(id, fix, { evidence: 'the fixed cell runs and prints 3' });
    const added = plans.addStep(id, fix);
    plans.editStep(id, added, { goal: 'Say what changed', evidence: 'a Markdown note' });
    // An empty step the scientist added and left is not a step.
    plans.addStep(id);
    expect(plans.plans[0].edited).toBe(true);
    plans.approve(id);
    const result = await decided;
    expect(result.isError).toBeUndefined();
    expect(result.content).toContain('The scientist edited the plan "Fix the broken cell and check the values"');
    expect(result.content).toContain(
      "1. Check the values' spread (evidence: the output of cell 'numbers')\n" +
        '2. Fix the broken cell (evidence: the fixed cell runs and prints 3)\n' +
        '3. Say what changed (evidence: a Markdown note)\n' +
        'Carry out the steps in order.'
    );
    expect(result.content).not.toContain('histogram');
    expect(plans.active?.id).toBe(id);
    expect(plans.active?.steps).toHaveLength(3);
    expect(planProgress(plans.active!)).toEqual({ done: 0, total: 3, current: 0 });
  });

  it('changes nothing once the plan is decided', async () => {
    const plans = new NotebookPlans();
    const decided = plans.propose(threeSteps, call());
    const id = await proposed(plans);
    plans.approve(id);
    await decided;
    const before = plans.plans[0];
    plans.removeStep(id, before.steps[0].id);
    plans.moveStep(id, before.steps[1].id, -1);
    plans.reject(id, 'too late');
    expect(plans.plans[0]).toBe(before);
    expect(plans.plans[0].status).toBe('approved');
  });

  it("rejects with the scientist's reason, and a plan trimmed to nothing is rejected", async () => {
    const plans = new NotebookPlans();
    const first = plans.propose(threeSteps, call());
    plans.reject(await proposed(plans), 'Plot first, then fix');
    expect(await first).toEqual({
      content:
        'The scientist rejected the plan "Fix the broken cell and check the values"; do not carry it out. Their reason: Plot first, then fix'
    });
    const second = plans.propose({ title: 'One', steps: [{ goal: 'a', evidence: 'b' }] }, call());
    const id = await proposed(plans);
    plans.removeStep(id, plans.plans[1].steps[0].id);
    plans.approve(id);
    expect((await second).content).toContain('Their reason: every step was removed');
    expect(plans.active).toBeNull();
  });

  it('leaves Plan mode for Ask when a plan proposed in Plan mode is approved', async () => {
    const plans = new NotebookPlans();
    const modes: string[] = [];
    const decided = plans.propose(threeSteps, call({ mode: 'plan', setMode: mode => modes.push(mode) > 0 }));
    const id = await proposed(plans);
    expect(plans.plans[0].fromPlanMode).toBe(true);
    plans.approve(id);
    expect(modes).toEqual(['ask']);
    expect((await decided).content).toContain('Plan mode has ended: the conversation is now in Ask mode');
  });

  it('a later approved plan replaces the one being carried out', async () => {
    const plans = new NotebookPlans();
    const first = plans.propose(threeSteps, call());
    plans.approve(await proposed(plans));
    await first;
    const second = plans.propose({ title: 'Another', steps: [{ goal: 'a', evidence: 'b' }] }, call());
    plans.approve(await proposed(plans));
    await second;
    expect(plans.plans.map(p => p.status)).toEqual(['replaced', 'approved']);
    expect(plans.active?.title).toBe('Another');
  });
});

describe('complete_plan_step', () => {
  async function approvedPlan(): Promise<{ plans: NotebookPlans; run: (input: unknown) => Promise<IToolResult> }> {
    const plans = new NotebookPlans();
    const registry = new ToolRegistry();
    PLAN_TOOLS.forEach(tool => registry.register(tool));
    const tools = registry.toolsFor(context(plans));
    const decided = tools.run('propose_plan', threeSteps, call());
    plans.approve(await proposed(plans));
    await decided;
    return { plans, run: input => tools.run('complete_plan_step', input, call()) };
  }

  it('marks a step done only with a cell that shows it', async () => {
    const { plans, run } = await approvedPlan();
    expect(await run({ step: 1, cell_id: 'nowhere' })).toEqual({
      content:
        'There is no cell with id nowhere in the notebook. A step is done only with the cell that shows its evidence: give the id of that cell.',
      isError: true
    });
    expect((await run({ step: 1, cell_id: 'broken' })).content).toContain(
      'Cell #2 has not run, so it shows nothing yet.'
    );
    expect((await run({ step: 1, cell_id: 'quiet' })).content).toContain('Cell #3 ran but has no output');
    expect((await run({ step: 4, cell_id: 'numbers' })).content).toBe('The plan has steps 1 to 3; there is no step 4.');
    expect((await run({ step: 'two', cell_id: 'numbers' })).isError).toBe(true);
    expect(planProgress(plans.active!).done).toBe(0);

    const done = await run({ step: 2, cell_id: 'numbers', note: 'the spread is 3' });
    expect(done).toEqual({
      content: 'Step 2 is done, shown by cell #1. 1 of 3 steps done. Next: step 1: Fix the broken cell'
    });
    expect(plans.active!.steps[1]).toMatchObject({ status: 'done', cellId: 'numbers', note: 'the spread is 3' });
    expect((await run({ step: 2, cell_id: 'numbers' })).content).toBe(
      'Step 2 is already done (shown by cell numbers).'
    );
  });

  it('takes a Markdown cell that states the finding, and the plan is done with its last step', async () => {
    const { plans, run } = await approvedPlan();
    await run({ step: 1, cell_id: 'numbers' });
    await run({ step: 2, cell_id: 'numbers' });
    const last = await run({ step: 3, cell_id: 'note' });
    expect(last.content).toBe(
      'Step 3 is done, shown by cell #4. 3 of 3 steps done. Every step of the plan is done: summarise what the evidence shows.'
    );
    expect(plans.plans[0].status).toBe('done');
    expect(plans.active).toBeNull();
    expect((await run({ step: 1, cell_id: 'numbers' })).content).toContain('No plan is being carried out');
  });

  it('Stop: a plan waiting for approval is settled, the one being carried out stopped, and a later step resumes it', async () => {
    const { plans, run } = await approvedPlan();
    const waiting = plans.propose({ title: 'Another', steps: [{ goal: 'a', evidence: 'b' }] }, call());
    await proposed(plans);
    plans.cancelPending();
    expect(await waiting).toEqual({ content: 'The scientist stopped the answer before deciding on the plan.' });
    expect(plans.plans.map(p => [p.status, p.reason])).toEqual([
      ['stopped', undefined],
      ['rejected', 'stopped']
    ]);
    await run({ step: 1, cell_id: 'numbers' });
    expect(plans.plans[0].status).toBe('approved');
  });
});

describe('a planned task through a real conversation', () => {
  it('offers the plan tools in Plan mode, and the approved plan leaves Plan mode for the next request', async () => {
    const plans = new NotebookPlans();
    const modes = new PermissionModes();
    const registry = new ToolRegistry();
    [...NOTEBOOK_READ_TOOLS, ...PROPOSAL_TOOLS, ...PLAN_TOOLS].forEach(tool => registry.register(tool));
    const settings = { ...DEFAULT_SETTINGS, maxRetries: 0 };
    const queue = {
      proposals: [],
      changed: { connect: () => true, disconnect: () => true } as any,
      propose: async () => ({ content: 'decided' }),
      accept: async () => undefined,
      reject: () => undefined,
      canUndo: () => false,
      undo: () => null,
      cancelPending: () => undefined
    };
    const c: Conversation = new Conversation({
      client: createDirectClient(api.url, MOCK_KEY, settings),
      settings: () => settings,
      trans,
      tools: registry.toolsFor({ ...context(plans), proposals: queue as any }),
      mode: () => modes.modeOf(c.id),
      setMode: mode => modes.setMode(c.id, mode)
    });
    modes.setMode(c.id, 'plan');
    await api.queue('agent_plan_propose');
    await api.queue('hello');
    const answered = c.send('Fix the broken cell and check the values');
    const id = await proposed(plans);
    plans.removeStep(id, plans.plans[0].steps[2].id);
    plans.approve(id);
    await answered;
    expect(modes.modeOf(c.id)).toBe('ask');
    const [planned, after] = (await api.requests()).filter(r => r.path === '/v1/messages');
    const offered = (request: any) => request.body.tools.map((t: any) => t.name);
    expect(offered(planned)).toEqual([...NOTEBOOK_READ_TOOLS.map(t => t.name), 'propose_plan', 'complete_plan_step']);
    expect(offered(after)).toContain('insert_cell');
    const result = after.body.messages[after.body.messages.length - 1].content[0];
    expect(result).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_agent_plan01' });
    expect(result.content).toContain('1. Fix the broken cell');
    expect(result.content).toContain("2. Check the values' spread");
    expect(result.content).not.toContain('histogram');
    expect(result.content).toContain('Plan mode has ended');
    expect(c.turns[c.turns.length - 1].status).toBe('done');
  });
});
