/*
 * The one client to Claude: the official SDK, pointed at the Jupyter server's proxy route.
 *
 * The browser never holds the API key: the server extension adds it. Requests go through
 * JupyterLab's ServerConnection so Jupyter's token and XSRF protection apply.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { ServerConnection } from '@jupyterlab/services';
import { apiURL } from '../api';
import { loadSDK } from './sdk';
import type { IClaudeSettings } from './tokens';

/**
 * The part of the SDK client that the conversation uses.
 */
export type IMessagesClient = Pick<Anthropic, 'messages' | 'models'>;

/**
 * Create the SDK client for a Jupyter server (loading the SDK the first time).
 */
export async function createClaudeClient(
  serverSettings: ServerConnection.ISettings,
  settings: Pick<IClaudeSettings, 'maxRetries' | 'timeoutSeconds'>
): Promise<Anthropic> {
  const { Anthropic } = await loadSDK();
  return new Anthropic({
    // No credentials in the browser: the proxy adds the key. The SDK's own Authorization
    // header is dropped so that Jupyter's `Authorization: token ...` is the only one.
    apiKey: null,
    authToken: null,
    defaultHeaders: { authorization: null },
    baseURL: apiURL(serverSettings),
    maxRetries: settings.maxRetries,
    timeout: settings.timeoutSeconds * 1000,
    // The key is not in the browser: the proxy holds it.
    dangerouslyAllowBrowser: true,
    fetch: (input, init) => Private.fetchThroughJupyter(input, init, serverSettings)
  });
}

namespace Private {
  /**
   * Send one SDK request through ServerConnection, keeping abort errors recognisable
   * (ServerConnection wraps every failure in a NetworkError).
   */
  export async function fetchThroughJupyter(
    input: string | URL | Request,
    init: RequestInit | undefined,
    serverSettings: ServerConnection.ISettings
  ): Promise<Response> {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    // 'no-store' would make ServerConnection append a cache-busting query string.
    const requestInit: RequestInit = { ...init, cache: 'no-cache' };
    try {
      return await ServerConnection.makeRequest(url, requestInit, serverSettings);
    } catch (error) {
      const signal = init?.signal;
      if (signal?.aborted) {
        throw signal.reason ?? new DOMException('The request was aborted.', 'AbortError');
      }
      throw error;
    }
  }
}
