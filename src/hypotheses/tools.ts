/*
 * The hypothesis tools: Claude proposes a hypothesis as a record (a `write` tool: accepting it
 * inserts its statement and test cells, only on the scientist's click) and reads the ledger.
 * Both are offered only where the notebook has hypotheses.
 */
import type { ITool, IToolContext, IToolDefinition } from '../agent/tokens';
import { clipText } from '../unicode';
import { HYPOTHESIS_INPUT_SCHEMA } from './schema';

const hasHypotheses = (context: IToolContext): boolean => !!context.hypotheses;

export const proposeHypothesisTool: ITool = {
  name: 'propose_hypothesis',
  kind: 'write',
  isAvailable: hasHypotheses,
  description:
    "Propose a testable hypothesis as a record: statement, context, variables, relationship, H0 and H1, and a falsification test (method, Python code that leaves its result in a dict named `result`, alpha, alternative, expected direction, smallest effect that would count). The scientist reviews it; if accepted, a Markdown cell stating it and a code cell with the test are inserted. Nothing runs without their click. Its status is computed from the test's result, not from your words. Read the ledger first (read_hypotheses) so you do not repeat a tested idea.",
  input_schema: {
    ...(HYPOTHESIS_INPUT_SCHEMA as IToolDefinition['input_schema']),
    properties: {
      ...((HYPOTHESIS_INPUT_SCHEMA as { properties?: Record<string, unknown> }).properties ?? {}),
      after_cell_id: {
        type: ['string', 'null'],
        description: 'The cell the statement and test cells go after (default: the end of the notebook).'
      }
    }
  },
  describe: args => `Proposed a hypothesis: ${clipText(String(args.statement ?? ''), 80)}`,
  handler: async (args, context) =>
    context.hypotheses
      ? // Waits for the scientist's decision on the hypothesis card.
        context.hypotheses.propose(args, context.call)
      : { content: 'Hypotheses are not available here.', isError: true }
};

export const readHypothesesTool: ITool = {
  name: 'read_hypotheses',
  kind: 'read',
  isAvailable: hasHypotheses,
  description:
    "Read the notebook's hypothesis ledger: every hypothesis with its status, evidence (statistic, p, effect, n) and verdict after the multiple-testing correction across the tests run.",
  input_schema: { type: 'object', properties: {} },
  describe: () => 'Read the hypothesis ledger',
  handler: async (_args, context) =>
    context.hypotheses
      ? context.hypotheses.readForClaude()
      : { content: 'Hypotheses are not available here.', isError: true }
};

/**
 * The hypothesis tools, in the order Claude is offered them.
 */
export const HYPOTHESIS_TOOLS: ReadonlyArray<ITool> = [proposeHypothesisTool, readHypothesesTool];
