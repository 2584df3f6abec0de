/*
 * One round of tool calls: Claude asked for tools in a message; each call is shown on the
 * answer as it runs, and its result goes back in the next request.
 */
import type { ToolResultBlockParam, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import type { IAgentTask, IClaudeTools, IToolResult, PermissionMode } from '../agent/tokens';
import { cutText } from '../unicode';
import type { IChatTurn, IToolCall } from './tokens';

/**
 * The most rounds of tool calls for one question, by default (the `maxToolRounds` setting).
 */
export const MAX_TOOL_ROUNDS = 25;

/**
 * What a round of tool calls needs from its conversation.
 */
export interface IToolRound {
  /** The answer the calls belong to (its `toolCalls` grow as they are shown). */
  turn: IChatTurn;
  /** The tools of the notebook (`null`: none). */
  tools: IClaudeTools | null;
  /** Which round this is, from 0. */
  round: number;
  /** The model to record when the answer has not said which. */
  model: string;
  /** Show the answer again (a call started or finished). */
  changed: () => void;
  /** The conversation's permission mode. */
  mode?: PermissionMode;
  /** What the conversation's task has taken in. */
  task?: IAgentTask;
  /** Change the conversation's permission mode (an approved plan leaves Plan mode). */
  setMode?: (mode: PermissionMode) => boolean;
  /** A limit was reached (rounds, tokens): every call is answered with this, asking for a summary. */
  limit?: string | null;
}

/**
 * Answer all the tool calls of one message, at once: proposals made together are reviewed together.
 */
export function runToolRound(calls: ToolUseBlock[], round: IToolRound): Promise<ToolResultBlockParam[]> {
  const { turn } = round;
  turn.toolCalls = turn.toolCalls ?? [];
  return Promise.all(
    calls.map(async (call): Promise<ToolResultBlockParam> => {
      const shown: IToolCall = {
        id: call.id,
        name: call.name,
        input: call.input,
        summary: round.tools ? round.tools.describe(call.name, call.input) : call.name,
        status: 'running'
      };
      turn.toolCalls!.push(shown);
      round.changed();
      const result = await Private.answer(call, round);
      shown.status = result.isError ? 'error' : 'done';
      shown.preview = cutText(result.content, 400);
      round.changed();
      const images = (result.images ?? []).map(image => ({
        type: 'image' as const,
        source: { type: 'base64' as const, media_type: image.mediaType, data: image.data }
      }));
      return {
        type: 'tool_result',
        tool_use_id: call.id,
        // An MCP tool's images go back beside its text, as the Messages API takes them.
        content: images.length ? [{ type: 'text' as const, text: result.content }, ...images] : result.content,
        ...(result.isError ? { is_error: true } : {})
      };
    })
  );
}

/**
 * Whether a saved conversation took in content from outside the notebook (file or MCP tools).
 */
export function tookOutsideContent(turns: ReadonlyArray<IChatTurn>): boolean {
  return turns.some(turn =>
    (turn.toolCalls ?? []).some(
      call => call.name === 'list_files' || call.name === 'read_file_head' || call.name.startsWith('mcp__')
    )
  );
}

namespace Private {
  export async function answer(call: ToolUseBlock, round: IToolRound): Promise<IToolResult> {
    if (!round.tools) {
      return { content: `There is no tool named ${call.name} here.`, isError: true };
    }
    if (round.limit) {
      return {
        content: `${round.limit} Stop calling tools: summarise what is done, what remains and the next step. The scientist can press Continue.`,
        isError: true
      };
    }
    try {
      return await round.tools.run(call.name, call.input, {
        toolUseId: call.id,
        model: round.turn.model ?? round.model,
        requestId: round.turn.requestId ?? null,
        mode: round.mode,
        task: round.task,
        setMode: round.setMode
      });
    } catch (error) {
      return { content: `The tool failed: ${error instanceof Error ? error.message : error}`, isError: true };
    }
  }
}
