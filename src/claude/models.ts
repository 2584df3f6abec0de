/*
 * The models the upstream offers, for the panel's picker.
 */
import type Anthropic from '@anthropic-ai/sdk';

/**
 * A model the scientist can pick.
 */
export interface IModelChoice {
  id: string;
  displayName: string;
}

/**
 * List the upstream's models (`GET /v1/models`), newest first as the API returns them,
 * always including the configured model. Falls back to the configured model alone when
 * the upstream cannot list them (a gateway without `/v1/models`, no key yet, offline).
 */
export async function listModels(client: Pick<Anthropic, 'models'>, configured: string): Promise<IModelChoice[]> {
  const choices: IModelChoice[] = [];
  try {
    for await (const model of client.models.list({ limit: 100 })) {
      choices.push({ id: model.id, displayName: model.display_name || model.id });
      if (choices.length >= 200) {
        break;
      }
    }
  } catch {
    // The configured model still works without the list.
  }
  if (!choices.some(choice => choice.id === configured)) {
    choices.unshift({ id: configured, displayName: configured });
  }
  return choices;
}
