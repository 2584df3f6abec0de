/*
 * The limits of one question's work: the rounds of tool calls and the task's token budget.
 * At a limit Claude is told so and asked to summarise; calls made after that do not run, and
 * the scientist's Continue resumes.
 */
import type { ToolResultBlockParam, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import type { IClaudeTools } from '../agent/tokens';
import type { IChatTurn, IClaudeSettings, ITurnUsage } from './tokens';
import { runToolRound } from './toolRounds';

/**
 * The limit the next round of tools reaches, if any: the rounds of one question, or the
 * task's token budget (every token the answer's requests used).
 */
export function limitOf(round: number, usage: ITurnUsage, settings: IClaudeSettings): IChatTurn['limit'] | null {
  if (round >= settings.maxToolRounds) {
    return { kind: 'rounds', value: settings.maxToolRounds };
  }
  const used = usage.inputTokens + usage.outputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens;
  if (settings.taskTokenBudget > 0 && used >= settings.taskTokenBudget) {
    return { kind: 'tokens', value: settings.taskTokenBudget };
  }
  return null;
}

export function limitText(limit: NonNullable<IChatTurn['limit']>): string {
  return limit.kind === 'rounds'
    ? `Tool limit reached (${limit.value} rounds for one question).`
    : `Token budget reached (${limit.value} tokens for this task).`;
}

/**
 * Results for calls made after the limit was told: none of them runs.
 */
export async function limitResults(
  calls: ToolUseBlock[],
  turn: IChatTurn,
  tools: IClaudeTools | null
): Promise<ToolResultBlockParam[]> {
  const limit = turn.limit ?? null;
  return runToolRound(calls, {
    turn,
    tools,
    round: 0,
    model: turn.model ?? '',
    changed: () => undefined,
    limit: limit ? limitText(limit) : 'The limit was reached.'
  });
}
