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
 * Call a route and resolve to its JSON (null for an empty answer). Throws an `APIError`
 * carrying the server's message when it answers an error, or saying it could not be reached.
 */
export async function requestAPI<T>(
  settings: ServerConnection.ISettings,
  route: string,
  init: RequestInit = {},
  query?: Record<string, string>
): Promise<T> {
  const url = apiURL(settings, route) + (query ? URLExt.objectToQueryString(query) : '');
  let response: Response;
  try {
    // 'no-store' would make ServerConnection append a cache-busting query string.
    response = await ServerConnection.makeRequest(url, { cache: 'no-cache', ...init }, settings);
  } catch {
    throw new APIError(0, 'The Jupyter server could not be reached.');
  }
  const text = response.status === 204 ? '' : await response.text();
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
}
