/*
 * The plans of the notebook in focus, one card each: a checklist the scientist edits,
 * reorders or trims before approving, then the plan's progress as Claude carries it out.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Panel, Widget } from '@lumino/widgets';
import { planProgress } from '../agent/plan';
import type { INotebookPlans, IPlan } from '../agent/tokens';
import { CardClass, rejectReasonInput, statusLine, styledButton } from './card';

/**
 * The plans Claude proposed in the notebook in focus.
 */
export class PlanArea extends Panel {
  constructor(options: { trans: TranslationBundle; cellLabel: (cellId: string) => string }) {
    super();
    this._trans = options.trans;
    this._cellLabel = options.cellLabel;
    this.addClass(CardClass.area);
    this.addClass('jp-Claude-planArea');
    this.node.setAttribute('aria-label', this._trans.__('Plans'));
  }

  setSource(plans: INotebookPlans | null): void {
    if (plans !== this._source) {
      this._source?.changed.disconnect(this.refresh, this);
      this._source = plans;
      plans?.changed.connect(this.refresh, this);
      for (const card of this._cards.values()) {
        card.dispose();
      }
      this._cards.clear();
    }
    this.refresh();
  }

  refresh(): void {
    const plans = this._source?.plans ?? [];
    for (const plan of plans) {
      const card = this._cards.get(plan.id);
      if (card) {
        card.render(plan);
      } else {
        const created = new PlanCard({
          plan,
          plans: this._source!,
          trans: this._trans,
          cellLabel: this._cellLabel
        });
        this._cards.set(plan.id, created);
        this.addWidget(created);
      }
    }
    this.node.classList.toggle('jp-mod-empty', plans.length === 0);
  }

  dispose(): void {
    this._source?.changed.disconnect(this.refresh, this);
    super.dispose();
  }

  private _trans: TranslationBundle;
  private _cellLabel: (cellId: string) => string;
  private _source: INotebookPlans | null = null;
  private _cards = new Map<string, PlanCard>();
}

/**
 * One plan: editable while proposed, a progress checklist once approved.
 */
export class PlanCard extends Widget {
  constructor(options: PlanCard.IOptions) {
    super();
    this._plans = options.plans;
    this._trans = options.trans;
    this._cellLabel = options.cellLabel;
    this.addClass(CardClass.card);
    this.addClass('jp-Claude-planCard');
    this.node.setAttribute('role', 'group');
    this.render(options.plan);
  }

  render(plan: IPlan): void {
    if (plan === this._plan) {
      return;
    }
    const t = this._trans;
    this.node.dataset.status = plan.status;
    this.node.setAttribute('aria-label', t.__('Plan: %1', plan.title));
    const shape = `${plan.status}:${plan.steps.map(step => step.id).join(',')}`;
    this._plan = plan;
    if (plan.status === 'proposed' && shape === this._shape) {
      // Only a step's text changed (the scientist's own edit): keep the fields, and with them
      // the focus and whatever is being typed.
      for (const step of plan.steps) {
        this._syncField(`${step.id}-goal`, step.goal);
        this._syncField(`${step.id}-evidence`, step.evidence);
      }
      return;
    }
    this._shape = shape;
    const focused = this.node.querySelector<HTMLElement>(':focus')?.dataset.focusKey;
    this.node.textContent = '';
    const title = document.createElement('div');
    title.className = CardClass.title;
    title.textContent = t.__('Plan: %1', plan.title);
    this.node.appendChild(title);
    if (plan.status === 'proposed') {
      this._renderEditable(plan);
    } else {
      this._renderProgress(plan);
    }
    if (focused) {
      this.node.querySelector<HTMLElement>(`[data-focus-key="${focused}"]`)?.focus();
    }
  }

  private _syncField(key: string, value: string): void {
    const input = this.node.querySelector<HTMLTextAreaElement>(`textarea[data-focus-key="${key}"]`);
    if (input && input.value !== value && document.activeElement !== input) {
      input.value = value;
    }
  }

  private _renderEditable(plan: IPlan): void {
    const t = this._trans;
    const id = plan.id;
    const list = document.createElement('ol');
    list.className = 'jp-Claude-planSteps jp-mod-editable';
    plan.steps.forEach((step, i) => {
      const item = document.createElement('li');
      item.className = 'jp-Claude-planStep';
      item.dataset.stepId = step.id;
      const goal = Private.field(step.goal, t.__('Goal of step %1', i + 1), `${step.id}-goal`, value =>
        this._plans.editStep(id, step.id, { goal: value })
      );
      goal.classList.add('jp-Claude-planGoal');
      goal.placeholder = t.__('What this step does');
      const evidence = Private.field(step.evidence, t.__('Evidence of step %1', i + 1), `${step.id}-evidence`, value =>
        this._plans.editStep(id, step.id, { evidence: value })
      );
      evidence.classList.add('jp-Claude-planEvidence');
      evidence.placeholder = t.__('The evidence it will produce');
      const tools = document.createElement('div');
      tools.className = 'jp-Claude-planStepTools';
      const up = Private.iconButton('↑', t.__('Move step %1 up', i + 1), () => this._plans.moveStep(id, step.id, -1));
      up.disabled = i === 0;
      const down = Private.iconButton('↓', t.__('Move step %1 down', i + 1), () =>
        this._plans.moveStep(id, step.id, 1)
      );
      down.disabled = i === plan.steps.length - 1;
      const remove = Private.iconButton('✕', t.__('Remove step %1', i + 1), () => this._plans.removeStep(id, step.id));
      tools.append(up, down, remove);
      // The fields sit in a grid inside the list item, so the item keeps its number.
      const fields = document.createElement('div');
      fields.className = 'jp-Claude-planStepFields';
      fields.append(goal, evidence, tools);
      item.appendChild(fields);
      list.appendChild(item);
    });
    const body = document.createElement('div');
    body.className = CardClass.body;
    body.appendChild(list);
    const add = styledButton(t.__('Add step'), '', () => {
      const added = this._plans.addStep(id);
      this.node.querySelector<HTMLElement>(`[data-focus-key="${added}-goal"]`)?.focus();
    });
    add.classList.add('jp-Claude-planAdd');
    body.appendChild(add);
    if (plan.fromPlanMode) {
      const note = document.createElement('div');
      note.className = 'jp-Claude-planNote';
      note.textContent = t.__(
        'Approving ends Plan mode: the conversation goes to Ask, so each change still waits for you.'
      );
      body.appendChild(note);
    }
    const footer = document.createElement('div');
    footer.className = CardClass.footer;
    const reason = rejectReasonInput(t);
    footer.append(
      styledButton(t.__('Approve plan'), 'jp-mod-accept', () => this._approve(reason)),
      reason,
      styledButton(t.__('Reject plan'), 'jp-mod-reject', () => this._plans.reject(id, reason.value))
    );
    this.node.append(body, footer);
  }

  private _approve(reason: HTMLInputElement): void {
    // A field still focused commits its edit first (its change event has not fired yet).
    const active = this.node.querySelector<HTMLTextAreaElement>('textarea[data-focus-key]:focus');
    active?.dispatchEvent(new Event('change'));
    reason.blur();
    if (this._plan) {
      this._plans.approve(this._plan.id);
    }
  }

  private _renderProgress(plan: IPlan): void {
    const t = this._trans;
    const { done, total, current } = planProgress(plan);
    const body = document.createElement('div');
    body.className = CardClass.body;
    if (plan.status !== 'rejected') {
      const bar = document.createElement('progress');
      bar.className = 'jp-Claude-planProgress';
      bar.max = total;
      bar.value = done;
      bar.setAttribute('aria-label', t.__('%1 of %2 steps done', done, total));
      body.appendChild(bar);
    }
    const list = document.createElement('ol');
    list.className = 'jp-Claude-planSteps';
    plan.steps.forEach((step, i) => {
      const item = document.createElement('li');
      item.className = 'jp-Claude-planStep';
      item.dataset.stepId = step.id;
      item.dataset.status = step.status;
      if (i === current) {
        item.classList.add('jp-mod-current');
        item.setAttribute('aria-current', 'step');
      }
      const goal = document.createElement('span');
      goal.className = 'jp-Claude-planGoal';
      goal.textContent = (step.status === 'done' ? '✓ ' : '') + step.goal;
      item.appendChild(goal);
      const detail = document.createElement('span');
      detail.className = 'jp-Claude-planEvidence';
      detail.textContent =
        step.status === 'done' && step.cellId
          ? t.__('Shown by %1', this._cellLabel(step.cellId)) + (step.note ? `: ${step.note}` : '')
          : step.evidence;
      item.appendChild(detail);
      list.appendChild(item);
    });
    body.appendChild(list);
    const footer = document.createElement('div');
    footer.className = CardClass.footer;
    footer.appendChild(statusLine(Private.statusText(t, plan, done, total, current)));
    this.node.append(body, footer);
  }

  private _plans: INotebookPlans;
  private _trans: TranslationBundle;
  private _cellLabel: (cellId: string) => string;
  private _plan: IPlan | null = null;
  private _shape = '';
}

export namespace PlanCard {
  export interface IOptions {
    plan: IPlan;
    plans: INotebookPlans;
    trans: TranslationBundle;
    cellLabel: (cellId: string) => string;
  }
}

namespace Private {
  /**
   * A text field that commits its value when the scientist leaves it (or presses Enter).
   */
  export function field(
    value: string,
    label: string,
    key: string,
    commit: (value: string) => void
  ): HTMLTextAreaElement {
    // A text area, so a long goal wraps and shows whole; Enter still commits (one line each).
    const input = document.createElement('textarea');
    input.rows = 1;
    input.className = 'jp-mod-styled';
    input.value = value;
    input.dataset.focusKey = key;
    input.setAttribute('aria-label', label);
    input.addEventListener('change', () => {
      if (input.value !== value) {
        value = input.value;
        commit(input.value);
      }
    });
    input.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        event.preventDefault();
        input.dispatchEvent(new Event('change'));
      }
    });
    return input;
  }

  export function iconButton(text: string, label: string, onClick: () => void): HTMLButtonElement {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'jp-mod-styled jp-Claude-planStepButton';
    button.textContent = text;
    button.title = label;
    button.setAttribute('aria-label', label);
    button.addEventListener('click', onClick);
    return button;
  }

  export function statusText(
    t: TranslationBundle,
    plan: IPlan,
    done: number,
    total: number,
    current: number | null
  ): string {
    switch (plan.status) {
      case 'approved':
        return current === null
          ? t.__('%1 of %2 steps done', done, total)
          : t.__('Step %1 of %2: %3', current + 1, total, plan.steps[current].goal);
      case 'stopped':
        return t.__('Stopped at step %1 of %2', (current ?? done) + 1, total);
      case 'done':
        return t.__('Done: all %1 steps', total);
      case 'replaced':
        return t.__('Replaced by a later plan (%1 of %2 steps done)', done, total);
      case 'rejected':
        return plan.reason === 'stopped'
          ? t.__('Stopped before a decision')
          : plan.reason
            ? t.__('Rejected: %1', plan.reason)
            : t.__('Rejected');
      default:
        return '';
    }
  }
}
