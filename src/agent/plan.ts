/*
 * Plans of one notebook. Claude proposes a plan for a multi-step request (`propose_plan`);
 * the scientist edits, reorders or trims its steps and approves it (or rejects it); Claude
 * then carries it out and marks each step done only with the cell that shows its evidence
 * (`complete_plan_step`). A plan changes nothing itself: each step's changes are proposals,
 * applied as the conversation's permission mode says.
 */
import { Signal } from '@lumino/signaling';
import { clipText } from '../unicode';
import { MAX_PLAN_STEPS, MAX_STEP_CHARS, MAX_TITLE_CHARS } from './planSchema';
import type { INotebookPlans, IPlan, IPlanStep, IToolCallInfo, IToolResult } from './tokens';

export { MAX_PLAN_STEPS, MAX_STEP_CHARS, MAX_TITLE_CHARS, PLAN_INPUT_SCHEMA } from './planSchema';

/**
 * Check a `propose_plan` input; the error says what to fix.
 */
export function validatePlanInput(
  input: unknown
):
  | { ok: true; value: { title: string; steps: Array<{ goal: string; evidence: string }> } }
  | { ok: false; error: string } {
  const fail = (error: string) => ({ ok: false as const, error });
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    return fail('the input must be an object with a title and steps');
  }
  const { title, steps } = input as { title?: unknown; steps?: unknown };
  if (typeof title !== 'string' || !title.trim()) {
    return fail('the title must be a non-empty string');
  }
  if (!Array.isArray(steps) || steps.length === 0) {
    return fail('steps must be a non-empty array');
  }
  if (steps.length > MAX_PLAN_STEPS) {
    return fail(`a plan has at most ${MAX_PLAN_STEPS} steps (this one has ${steps.length}); group them`);
  }
  const out: Array<{ goal: string; evidence: string }> = [];
  for (const [i, step] of steps.entries()) {
    const goal = (step as { goal?: unknown })?.goal;
    const evidence = (step as { evidence?: unknown })?.evidence;
    if (typeof goal !== 'string' || !goal.trim()) {
      return fail(`step ${i + 1} needs a goal`);
    }
    if (typeof evidence !== 'string' || !evidence.trim()) {
      return fail(`step ${i + 1} needs the evidence it will produce`);
    }
    out.push({ goal: clipText(goal.trim(), MAX_STEP_CHARS), evidence: clipText(evidence.trim(), MAX_STEP_CHARS) });
  }
  return { ok: true, value: { title: clipText(title.trim(), MAX_TITLE_CHARS), steps: out } };
}

/**
 * How many steps of a plan are done, and the step being worked on (the first not done).
 */
export function planProgress(plan: IPlan): { done: number; total: number; current: number | null } {
  const total = plan.steps.length;
  const done = plan.steps.filter(step => step.status === 'done').length;
  const index = plan.steps.findIndex(step => step.status !== 'done');
  const working = plan.status === 'approved' || plan.status === 'stopped';
  return { done, total, current: working && index >= 0 ? index : null };
}

/**
 * The plans of one notebook.
 */
export class NotebookPlans implements INotebookPlans {
  get plans(): ReadonlyArray<IPlan> {
    return this._plans;
  }

  get active(): IPlan | null {
    return this._plans.find(plan => plan.status === 'approved' || plan.status === 'stopped') ?? null;
  }

  get changed(): Signal<this, void> {
    return this._changed;
  }

  propose(input: unknown, call: IToolCallInfo): Promise<IToolResult> {
    const checked = validatePlanInput(input);
    if (!checked.ok) {
      return Promise.resolve({
        content: `Not a valid plan: ${checked.error}. Propose it again.`,
        isError: true
      });
    }
    const plan: IPlan = {
      id: Private.planId(),
      title: checked.value.title,
      steps: checked.value.steps.map(step => Private.step(step.goal, step.evidence)),
      status: 'proposed',
      edited: false,
      fromPlanMode: call.mode === 'plan',
      provenance: {
        model: call.model,
        requestId: call.requestId,
        toolUseId: call.toolUseId,
        createdAt: new Date().toISOString()
      }
    };
    return new Promise<IToolResult>(resolve => {
      this._waiting.set(plan.id, { resolve, call });
      this._plans.push(plan);
      this._changed.emit();
    });
  }

  editStep(planId: string, stepId: string, patch: { goal?: string; evidence?: string }): void {
    this._editProposed(planId, steps =>
      steps.map(step =>
        step.id === stepId
          ? {
              ...step,
              goal: patch.goal === undefined ? step.goal : clipText(patch.goal, MAX_STEP_CHARS),
              evidence: patch.evidence === undefined ? step.evidence : clipText(patch.evidence, MAX_STEP_CHARS)
            }
          : step
      )
    );
  }

  moveStep(planId: string, stepId: string, delta: -1 | 1): void {
    this._editProposed(planId, steps => {
      const from = steps.findIndex(step => step.id === stepId);
      const to = from + delta;
      if (from < 0 || to < 0 || to >= steps.length) {
        return steps;
      }
      const moved = [...steps];
      [moved[from], moved[to]] = [moved[to], moved[from]];
      return moved;
    });
  }

  removeStep(planId: string, stepId: string): void {
    this._editProposed(planId, steps => steps.filter(step => step.id !== stepId));
  }

  addStep(planId: string, afterStepId?: string): string {
    const added = Private.step('', '');
    this._editProposed(planId, steps => {
      if (steps.length >= MAX_PLAN_STEPS) {
        return steps;
      }
      const at = afterStepId ? steps.findIndex(step => step.id === afterStepId) + 1 : steps.length;
      const next = [...steps];
      next.splice(at > 0 ? at : steps.length, 0, added);
      return next;
    });
    return added.id;
  }

  approve(planId: string): void {
    const plan = this._proposed(planId);
    if (!plan) {
      return;
    }
    // A step the scientist left empty is not a step.
    const steps = plan.steps.filter(step => step.goal.trim());
    if (!steps.length) {
      this.reject(planId, 'every step was removed');
      return;
    }
    for (const other of this._plans) {
      if (other !== plan && (other.status === 'approved' || other.status === 'stopped')) {
        this._set(other.id, { status: 'replaced' });
      }
    }
    this._set(planId, { steps, status: 'approved' });
    const waiting = this._waiting.get(planId);
    const lines = [
      plan.edited
        ? `The scientist edited the plan "${plan.title}" and approved it as follows; carry out this version, not yours:`
        : `The scientist approved the plan "${plan.title}":`,
      ...steps.map((step, i) => `${i + 1}. ${step.goal} (evidence: ${step.evidence || 'not given'})`),
      'Carry out the steps in order. When a step is done, call complete_plan_step with its number and the id of the ' +
        'cell whose output shows its evidence (a cell that has run, or a Markdown cell that states the finding). ' +
        'Changes and runs are still proposals, applied as the conversation’s permission mode says.'
    ];
    if (plan.fromPlanMode && waiting?.call.setMode) {
      // Plan mode offers no write or run tool: approving the plan is the scientist's word to
      // carry it out, one reviewed change at a time.
      lines.push(
        waiting.call.setMode('ask')
          ? 'Plan mode has ended: the conversation is now in Ask mode, so each change and run waits for the scientist.'
          : 'The conversation stays in Plan mode: propose no changes until the scientist changes the mode.'
      );
    }
    this._settle(planId, { content: lines.join('\n') });
  }

  reject(planId: string, reason = ''): void {
    const plan = this._proposed(planId);
    if (!plan) {
      return;
    }
    const why = reason.trim();
    this._set(planId, { status: 'rejected', reason: why || undefined });
    this._settle(planId, {
      content:
        `The scientist rejected the plan "${plan.title}"; do not carry it out.` +
        (why ? ` Their reason: ${why}` : ' Ask what they would like instead.')
    });
  }

  completeStep(
    input: { step: unknown; cellId: unknown; note?: unknown },
    cell: { label: string; cellType: string; executed: boolean; hasOutput: boolean } | null
  ): IToolResult {
    const active = this.active;
    const error = (content: string): IToolResult => ({ content, isError: true });
    if (!active) {
      return error('No plan is being carried out: propose one with propose_plan and wait for its approval.');
    }
    const number = Number(input.step);
    if (!Number.isInteger(number) || number < 1 || number > active.steps.length) {
      return error(`The plan has steps 1 to ${active.steps.length}; there is no step ${String(input.step)}.`);
    }
    const step = active.steps[number - 1];
    if (step.status === 'done') {
      return error(`Step ${number} is already done (shown by cell ${step.cellId}).`);
    }
    const cellId = typeof input.cellId === 'string' ? input.cellId : '';
    if (!cell) {
      return error(
        `There is no cell with id ${cellId || '(none given)'} in the notebook. A step is done only with the cell that ` +
          'shows its evidence: give the id of that cell.'
      );
    }
    if (cell.cellType === 'code' && !cell.executed) {
      return error(
        `Cell ${cell.label} has not run, so it shows nothing yet. Run it (the run is a proposal like any other), then mark the step done.`
      );
    }
    if (cell.cellType === 'code' && !cell.hasOutput) {
      return error(
        `Cell ${cell.label} ran but has no output to show the evidence ("${step.evidence}"). Mark the step done with a cell that shows it.`
      );
    }
    const note = typeof input.note === 'string' ? clipText(input.note.trim(), MAX_STEP_CHARS) : '';
    const steps = active.steps.map(s =>
      s === step ? { ...s, status: 'done' as const, cellId, note: note || undefined } : s
    );
    const all = steps.every(s => s.status === 'done');
    const plan = this._set(active.id, { steps, status: all ? 'done' : 'approved' });
    this._changed.emit();
    const { done, total, current } = planProgress(plan);
    const next =
      current === null || plan.status === 'done'
        ? 'Every step of the plan is done: summarise what the evidence shows.'
        : `Next: step ${current + 1}: ${plan.steps[current].goal}`;
    return { content: `Step ${number} is done, shown by cell ${cell.label}. ${done} of ${total} steps done. ${next}` };
  }

  cancelPending(): void {
    for (const plan of this._plans) {
      if (plan.status === 'proposed') {
        this._set(plan.id, { status: 'rejected', reason: 'stopped' });
        this._settle(plan.id, { content: 'The scientist stopped the answer before deciding on the plan.' });
      } else if (plan.status === 'approved') {
        this._set(plan.id, { status: 'stopped' });
        this._changed.emit();
      }
    }
  }

  private _proposed(planId: string): IPlan | undefined {
    return this._plans.find(plan => plan.id === planId && plan.status === 'proposed');
  }

  private _editProposed(planId: string, edit: (steps: IPlanStep[]) => IPlanStep[]): void {
    const plan = this._proposed(planId);
    if (!plan) {
      return;
    }
    const steps = edit([...plan.steps]);
    const same = steps.length === plan.steps.length && steps.every((step, i) => step === plan.steps[i]);
    if (!same) {
      this._set(planId, { steps, edited: true });
      this._changed.emit();
    }
  }

  /**
   * Replace a plan by a changed copy (views compare plans by identity to know what changed).
   */
  private _set(planId: string, patch: Partial<IPlan>): IPlan {
    let changed: IPlan | undefined;
    this._plans = this._plans.map(plan => (plan.id === planId ? (changed = { ...plan, ...patch }) : plan));
    return changed!;
  }

  private _settle(planId: string, result: IToolResult): void {
    const waiting = this._waiting.get(planId);
    this._waiting.delete(planId);
    this._changed.emit();
    waiting?.resolve(result);
  }

  private _plans: IPlan[] = [];
  private _waiting = new Map<string, { resolve: (result: IToolResult) => void; call: IToolCallInfo }>();
  private _changed = new Signal<this, void>(this);
}

namespace Private {
  let plans = 0;

  export function planId(): string {
    return `plan-${++plans}-${Date.now().toString(36)}`;
  }

  let steps = 0;

  export function step(goal: string, evidence: string): IPlanStep {
    return { id: `step-${++steps}`, goal, evidence, status: 'pending' };
  }
}
