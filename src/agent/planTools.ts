/*
 * The plan tools: Claude proposes a plan for a multi-step request (the scientist edits and
 * approves it on its card) and marks each step done with the cell that shows it. Neither
 * changes the notebook, so both are `read` tools, offered in every mode (Plan included)
 * wherever the notebook keeps plans.
 */
import type { ICell } from '@jupyterlab/nbformat';
import { cellIdOf } from '../context/cellId';
import { clipText } from '../unicode';
import { PLAN_TOOL_NAME } from './modes';
import { PLAN_INPUT_SCHEMA } from './planSchema';
import type { ITool, IToolContext } from './tokens';

const hasPlans = (context: IToolContext): boolean => !!context.plans;

export const proposePlanTool: ITool = {
  name: PLAN_TOOL_NAME,
  kind: 'read',
  isAvailable: hasPlans,
  description:
    'For a request that takes several steps (cleaning data, fitting, checking), propose a plan before changing anything: ' +
    'a title and the steps, each with its goal and the evidence it will produce (an output, a table, a plot, a test result). ' +
    'The scientist may edit, reorder or remove steps before approving; the result says the plan as approved: carry out that ' +
    'version. Changes and runs stay proposals. Do not use it for a one-step question.',
  input_schema: PLAN_INPUT_SCHEMA,
  describe: args => `Proposed a plan: ${clipText(String(args.title ?? ''), 80)}`,
  handler: async (args, context) =>
    context.plans
      ? // Waits for the scientist's decision on the plan card.
        context.plans.propose(args, context.call)
      : { content: 'Plans are not available here.', isError: true }
};

export const completePlanStepTool: ITool = {
  name: 'complete_plan_step',
  kind: 'read',
  isAvailable: hasPlans,
  description:
    'Mark a step of the approved plan done, with the id of the cell whose output shows its evidence (a code cell that has ' +
    'run and shows it, or a Markdown cell stating the finding). Refused without such a cell: a step is done only when a ' +
    'cell shows it.',
  input_schema: {
    type: 'object',
    properties: {
      step: { type: 'integer', minimum: 1, description: 'The step number, as in the approved plan (from 1).' },
      cell_id: { type: 'string', description: 'The cell that shows the step done.' },
      note: { type: 'string', description: 'What the cell shows, in one sentence.' }
    },
    required: ['step', 'cell_id']
  },
  describe: (args, context) =>
    `Step ${String(args.step ?? '?')} done, shown by cell ${context.cellLabel(String(args.cell_id ?? ''))}`,
  handler: async (args, context) => {
    if (!context.plans) {
      return { content: 'Plans are not available here.', isError: true };
    }
    const id = typeof args.cell_id === 'string' ? args.cell_id : '';
    const cells = context.notebook()?.cells ?? [];
    const index = cells.findIndex((cell, i) => cellIdOf(cell, i) === id);
    const cell: ICell | undefined = cells[index];
    const found = cell
      ? {
          label: `#${index + 1}`,
          cellType: cell.cell_type,
          executed: cell.cell_type === 'code' && cell.execution_count !== null && cell.execution_count !== undefined,
          hasOutput: cell.cell_type === 'code' && Array.isArray(cell.outputs) && cell.outputs.length > 0
        }
      : null;
    return context.plans.completeStep({ step: args.step, cellId: id, note: args.note }, found);
  }
};

/**
 * The plan tools, in the order Claude is offered them.
 */
export const PLAN_TOOLS: ReadonlyArray<ITool> = [proposePlanTool, completePlanStepTool];
