/*
 * The one way to call our server's routes (`<base>/claude/...`): through Jupyter's
 * ServerConnection, so its token and XSRF protection apply, with the server's own error
 * message as the error. The SDK client shares the base URL (`apiURL`).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/**
 * The path of our routes under the server's base URL.
 */
export const API_NAMESPACE = 'claude';

/**
 * The URL of one of our routes (`''`: the proxy route the SDK talks to).
 */
export function apiURL(settings: ServerConnection.ISettings, route = ''): string {
  return URLExt.join(settings.baseUrl, API_NAMESPACE, route);
}

/**
 * A failed request to our server, with the server's message (status 0: not reached).
 */
export class APIError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
    this.name = 'APIError';
  }
}

/**
 * How long a call to our routes may take, unless it says otherwise: a server that does not
 * answer must not leave the panel waiting for ever.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * A request to one of our routes; `timeoutMs` bounds the whole call, answer included (0: none).
 */
export interface IRequestInit extends RequestInit {
  timeoutMs?: number;
}

/**
 * Call a route and resolve to its JSON (null for an empty answer). Throws an `APIError`
 * carrying the server's message when it answers an error, or saying it could not be reached
 * or did not answer in time.
 */
export async function requestAPI<T>(
  settings: ServerConnection.ISettings,
  route: string,
  init: IRequestInit = {},
  query?: Record<string, string>
): Promise<T> {
  const url = apiURL(settings, route) + (query ? URLExt.objectToQueryString(query) : '');
  const { timeoutMs = REQUEST_TIMEOUT_MS, ...requestInit } = init;
  // One signal for the request: the caller's, or the time running out.
  const controller = new AbortController();
  let timedOut = false;
  const timeout =
    timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, timeoutMs)
      : undefined;
  const caller = requestInit.signal;
  caller?.addEventListener('abort', () => controller.abort(caller.reason), { once: true });
  if (caller?.aborted) {
    controller.abort(caller.reason);
  }
  const signal = controller.signal;
  const failed = (message: string) =>
    timedOut
      ? new APIError(0, `The Jupyter server did not answer within ${timeoutMs / 1000} seconds.`)
      : new APIError(0, message);
  try {
    let response: Response;
    try {
      // 'no-store' would make ServerConnection append a cache-busting query string.
      response = await ServerConnection.makeRequest(url, { cache: 'no-cache', ...requestInit, signal }, settings);
    } catch {
      throw failed('The Jupyter server could not be reached.');
    }
    let text = '';
    try {
      text = response.status === 204 ? '' : await response.text();
    } catch {
      throw failed('The connection to the Jupyter server was lost.');
    }
    let data: any = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!response.ok) {
      const message = data?.error?.message ?? data?.message ?? `The Jupyter server answered ${response.status}.`;
      throw new APIError(response.status, String(message));
    }
    return data as T;
  } finally {
    clearTimeout(timeout);
  }
}
