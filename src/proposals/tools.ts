/*
 * The tools through which Claude proposes changes to the notebook: insert, replace or delete
 * a cell (`write`) and run one (`run`). Each call becomes a proposal in the notebook's queue;
 * its result is the scientist's decision (with the outputs, if the cell ran).
 */
import type { ITool, IToolCallContext, IToolResult, ToolKind } from '../agent/tokens';
import type { ProposalKind } from './tokens';

/**
 * A tool that hands its call to the proposal queue as a proposal of `proposal` kind.
 */
function proposalTool(
  proposal: ProposalKind,
  kind: ToolKind,
  definition: Pick<ITool, 'name' | 'description' | 'input_schema' | 'describe'>
): ITool {
  return {
    ...definition,
    kind,
    handler: (args: Record<string, unknown>, context: IToolCallContext): Promise<IToolResult> => {
      // The registry offers these tools only where there is a queue.
      if (!context.proposals) {
        return Promise.resolve({ content: 'Changes to this notebook cannot be proposed here.', isError: true });
      }
      // Waits for the scientist; what comes back is their decision (and outputs, if run).
      return context.proposals.propose(proposal, args, context.call);
    }
  };
}

export const insertCellTool = proposalTool('insert', 'write', {
  name: 'insert_cell',
  description:
    'Propose a new cell. The scientist reviews it; it is inserted only if accepted, and runs only if they choose to run it. The result tells you what they decided (and the outputs, if it ran).',
  input_schema: {
    type: 'object',
    properties: {
      cell_id: {
        type: ['string', 'null'],
        description: 'The id of the cell to insert after; null for the top of the notebook.'
      },
      cell_type: { type: 'string', enum: ['code', 'markdown'] },
      source: { type: 'string' }
    },
    required: ['cell_id', 'cell_type', 'source']
  },
  describe: (args, context) =>
    args.cell_id
      ? `Proposed a new ${String(args.cell_type ?? 'code')} cell after cell ${context.cellLabel(String(args.cell_id))}`
      : `Proposed a new ${String(args.cell_type ?? 'code')} cell at the top`
});

export const replaceCellTool = proposalTool('replace', 'write', {
  name: 'replace_cell',
  description:
    'Propose a new source for a cell (shown to the scientist as a diff). Applied only if accepted; the result says what they decided, with their edits if they edited it.',
  input_schema: {
    type: 'object',
    properties: { cell_id: { type: 'string' }, source: { type: 'string' } },
    required: ['cell_id', 'source']
  },
  describe: (args, context) => `Proposed a change to cell ${context.cellLabel(String(args.cell_id))}`
});

export const deleteCellTool = proposalTool('delete', 'write', {
  name: 'delete_cell',
  description: 'Propose deleting a cell. Deleted only if the scientist accepts.',
  input_schema: { type: 'object', properties: { cell_id: { type: 'string' } }, required: ['cell_id'] },
  describe: (args, context) => `Proposed deleting cell ${context.cellLabel(String(args.cell_id))}`
});

export const runCellTool = proposalTool('run', 'run', {
  name: 'run_cell',
  description:
    "Ask to run a cell in the notebook's kernel. It runs only after the scientist approves; the result carries its outputs.",
  input_schema: { type: 'object', properties: { cell_id: { type: 'string' } }, required: ['cell_id'] },
  describe: (args, context) => `Asked to run cell ${context.cellLabel(String(args.cell_id))}`
});

/**
 * The proposal tools, in the order Claude is offered them.
 */
export const PROPOSAL_TOOLS: ReadonlyArray<ITool> = [insertCellTool, replaceCellTool, deleteCellTool, runCellTool];
