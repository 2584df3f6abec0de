/*
 * An SDK client that talks to a Messages API directly, for code that runs in Node (tests,
 * benchmarks). Nothing in the extension imports this file, so the browser bundle does not
 * carry the statically imported SDK.
 */
import * as SDK from '@anthropic-ai/sdk';
import { provideSDK } from './sdk';
import type { IClaudeSettings } from './tokens';

provideSDK(SDK);

/**
 * Create an SDK client that talks to a Messages API directly with a key.
 */
export function createDirectClient(
  baseURL: string,
  apiKey: string,
  settings: Pick<IClaudeSettings, 'maxRetries' | 'timeoutSeconds'>
): SDK.Anthropic {
  return new SDK.Anthropic({
    apiKey,
    baseURL,
    maxRetries: settings.maxRetries,
    timeout: settings.timeoutSeconds * 1000
  });
}
