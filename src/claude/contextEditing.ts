/*
 * Clearing old tool results on the API's side (context editing, the `clear_tool_uses_20250919`
 * edit behind the `context-management-2025-06-27` beta) where the model supports it, with the
 * same policy as the client-side clearing of contextWindow.ts, which is used everywhere else.
 *
 * Whether a model supports it is what the Models API says of it
 * (`capabilities.context_management.clear_tool_uses_20250919.supported`): the Anthropic API
 * says so per model; a list the Jupyter server makes up itself (Bedrock, Vertex) or a gateway
 * without the capabilities says nothing, and nothing means client-side. A response that comes
 * back without `context_management` shows the beta did not reach the API (a gateway dropped
 * it): the conversation then clears on its own side again.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import type {
  BetaContextManagementConfig,
  MessageCreateParamsStreaming as BetaParams
} from '@anthropic-ai/sdk/resources/beta/messages/messages';
import { DEFAULT_CLEARING, type IClearingPolicy } from './contextWindow';

/**
 * The beta that turns context editing on.
 */
export const CONTEXT_MANAGEMENT_BETA = 'context-management-2025-06-27';

/**
 * The edit that clears old tool results.
 */
export const CLEAR_TOOL_USES = 'clear_tool_uses_20250919';

/**
 * How long the model's capabilities are waited for before clearing stays client-side.
 */
export const CAPABILITY_TIMEOUT_MS = 5000;

/**
 * The request's `context_management`: the client-side policy, asked of the API.
 */
export function contextManagement(policy: IClearingPolicy = DEFAULT_CLEARING): BetaContextManagementConfig {
  return {
    edits: [
      {
        type: CLEAR_TOOL_USES,
        trigger: { type: 'input_tokens', value: policy.triggerTokens },
        keep: { type: 'tool_uses', value: policy.keepToolResults },
        clear_at_least: { type: 'input_tokens', value: policy.clearAtLeastTokens }
      }
    ]
  };
}

/**
 * Stream `request` with the API clearing old tool results (the beta messages endpoint). A
 * refusal of the beta or of `context_management` (a gateway that does not know them) sends
 * the model's next requests without them, so Retry works.
 */
export function streamWithServerClearing(
  client: Pick<Anthropic, 'beta' | 'models'>,
  request: Anthropic.MessageCreateParamsStreaming,
  policy: IClearingPolicy = DEFAULT_CLEARING
): MessageStream {
  const params = { ...request, betas: [CONTEXT_MANAGEMENT_BETA], context_management: contextManagement(policy) };
  const stream = client.beta.messages.stream(params as BetaParams);
  stream.on('error', error => {
    const status = (error as { status?: number }).status;
    if (status === 400 && /context[_-]management|anthropic-beta/i.test(error.message)) {
      serverDoesNotClear(client, request.model);
    }
  });
  // The beta stream is read and ended as the stable one; its messages also carry context_management.
  return stream as unknown as MessageStream;
}

/**
 * How many tool results the API cleared for a response: null when the response says nothing of
 * context management (the beta did not reach the API).
 */
export function clearedByServer(message: object): number | null {
  const { context_management } = message as {
    context_management?: { applied_edits?: Array<{ type: string; cleared_tool_uses?: number }> } | null;
  };
  const applied = context_management?.applied_edits;
  if (!Array.isArray(applied)) {
    return null;
  }
  return applied
    .filter(edit => edit.type === CLEAR_TOOL_USES)
    .reduce((sum, edit) => sum + (edit.cleared_tool_uses ?? 0), 0);
}

/**
 * Whether the API clears tool results for `model` (asked once per client and model; a model
 * the Models API does not describe, an error or no answer in time: no).
 */
export function serverClears(client: Pick<Anthropic, 'models'>, model: string): Promise<boolean> {
  let known = Private.answers.get(client);
  if (!known) {
    known = new Map();
    Private.answers.set(client, known);
  }
  let answer = known.get(model);
  if (!answer) {
    answer = client.models
      .retrieve(model, {}, { timeout: CAPABILITY_TIMEOUT_MS, maxRetries: 0 })
      .then(info => info.capabilities?.context_management?.clear_tool_uses_20250919?.supported === true)
      .catch(() => false);
    known.set(model, answer);
  }
  return answer;
}

/**
 * Record that the API did not clear for `model` after all (its response said nothing of it).
 */
export function serverDoesNotClear(client: Pick<Anthropic, 'models'>, model: string): void {
  Private.answers.get(client)?.set(model, Promise.resolve(false));
}

namespace Private {
  export const answers = new WeakMap<object, Map<string, Promise<boolean>>>();
}
