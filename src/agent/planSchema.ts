/*
 * What a plan may hold, and the `propose_plan` input as Claude is told it: on their own, so
 * registering the plan tools at start-up does not load the plans model.
 */

/**
 * The most steps one plan may have, and the longest goal, evidence, title and note.
 */
export const MAX_PLAN_STEPS = 30;
export const MAX_STEP_CHARS = 500;
export const MAX_TITLE_CHARS = 200;

/**
 * The `propose_plan` input, as Claude is told it.
 */
export const PLAN_INPUT_SCHEMA = {
  type: 'object' as const,
  properties: {
    title: { type: 'string', description: 'What the plan achieves, in a few words.' },
    steps: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_PLAN_STEPS,
      items: {
        type: 'object',
        properties: {
          goal: { type: 'string', description: 'What this step does.' },
          evidence: {
            type: 'string',
            description: 'What the step will produce that shows it done (an output, a table, a plot, a test result).'
          }
        },
        required: ['goal', 'evidence']
      }
    }
  },
  required: ['title', 'steps']
};
