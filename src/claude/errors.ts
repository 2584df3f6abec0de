/*
 * Turning what went wrong (SDK errors, proxy errors, cut streams) into words a scientist can act on.
 */
import type { APIError } from '@anthropic-ai/sdk';
import type { TranslationBundle } from '@jupyterlab/translation';
import { loadedSDK } from './sdk';
import type { IClaudeError } from './tokens';

/**
 * The header the server extension sets when it has no key to send upstream.
 */
export const PROXY_ERROR_HEADER = 'x-claude-proxy-error';

/**
 * The header the server extension sets when the administrator's policy refused a request.
 */
export const POLICY_HEADER = 'x-claude-policy';

/**
 * Whether an error is the scientist's own Stop.
 */
export function isUserAbort(error: unknown): boolean {
  const sdk = loadedSDK();
  return !!sdk && error instanceof sdk.APIUserAbortError;
}

/**
 * Describe an error for the panel.
 *
 * @param error - what the SDK threw.
 * @param trans - the translation bundle.
 * @param midStream - whether part of the answer had already arrived.
 */
export function describeError(error: unknown, trans: TranslationBundle, midStream = false): IClaudeError {
  const described = Private.describe(error, trans);
  if (midStream) {
    return {
      ...described,
      kind: described.kind === 'unknown' ? 'cut' : described.kind,
      title: trans.__('The answer was cut off: %1', described.title),
      detail: trans.__('What arrived is kept above. %1', described.detail || trans.__('Press Retry to ask again.'))
    };
  }
  return described;
}

/**
 * Seconds to wait, from `retry-after-ms` or `retry-after` (seconds or an HTTP date).
 */
export function retryAfterSeconds(headers: Headers | undefined): number | undefined {
  if (!headers) {
    return undefined;
  }
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) {
    return Math.ceil(ms / 1000);
  }
  const value = headers.get('retry-after');
  if (!value) {
    return undefined;
  }
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) {
    return Math.ceil(seconds);
  }
  const date = Date.parse(value);
  if (!Number.isNaN(date)) {
    return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  }
  return undefined;
}

namespace Private {
  export function describe(error: unknown, trans: TranslationBundle): IClaudeError {
    // The SDK's errors can only come from a loaded SDK.
    const sdk = loadedSDK();
    if (sdk && error instanceof sdk.APIConnectionTimeoutError) {
      return {
        kind: 'timeout',
        title: trans.__('Claude took too long to answer'),
        detail: trans.__('The request timed out. Retry, or raise the timeout in Settings › Claude.')
      };
    }
    if (sdk && error instanceof sdk.APIConnectionError) {
      return {
        kind: 'network',
        title: trans.__('Could not reach the Jupyter server'),
        detail: trans.__('Check your network connection and that JupyterLab is still running, then press Retry.')
      };
    }
    if (sdk && error instanceof sdk.APIError) {
      return describeAPIError(error, trans);
    }
    const message = error instanceof Error ? error.message : String(error);
    return {
      kind: 'unknown',
      title: trans.__('Something went wrong while talking to Claude'),
      detail: message
    };
  }

  function describeAPIError(error: APIError, trans: TranslationBundle): IClaudeError {
    const status = error.status;
    const headers = error.headers;
    const apiMessage = error.apiMessage ?? '';
    const type = error.type ?? '';
    const base = {
      status,
      requestId: error.requestID ?? undefined
    };
    if (headers?.get(POLICY_HEADER)) {
      // The server's words name the rule (the allowed models, the cap, when the daily count resets).
      return {
        ...base,
        kind: 'permission',
        title: trans.__('Set by your administrator'),
        detail: apiMessage || error.message
      };
    }
    if (status === 401 && headers?.get(PROXY_ERROR_HEADER) === 'no-api-key') {
      return {
        ...base,
        kind: 'no-key',
        title: trans.__('No Anthropic API key is configured'),
        // Our own words (translatable), not the server's, which repeat the title.
        detail: trans.__(
          'Set the ANTHROPIC_API_KEY environment variable in the shell that starts JupyterLab (or c.ClaudeProxy.api_key in jupyter_server_config.py), then restart JupyterLab.'
        )
      };
    }
    if (status === 401 || type === 'authentication_error') {
      return {
        ...base,
        kind: 'invalid-key',
        title: trans.__('The API key was rejected (401)'),
        detail: trans
          .__(
            'The key configured on the Jupyter server is invalid or revoked. Update ANTHROPIC_API_KEY (or c.ClaudeProxy.api_key) and restart JupyterLab. %1',
            apiMessage
          )
          .trim()
      };
    }
    if (status === 403 || type === 'permission_error') {
      return {
        ...base,
        kind: 'permission',
        title: trans.__('The request was refused (403)'),
        detail: trans
          .__(
            'Either your Jupyter session expired (reload the page and log in again) or the key may not use this model. %1',
            apiMessage
          )
          .trim()
      };
    }
    if (status === 429 || type === 'rate_limit_error') {
      const wait = retryAfterSeconds(headers);
      return {
        ...base,
        kind: 'rate-limited',
        retryAfterSeconds: wait,
        title: trans.__('Rate limited (429)'),
        detail:
          wait !== undefined
            ? trans.__('Too many requests for this key. Retry in %1 s.', wait)
            : trans.__('Too many requests for this key. Wait a moment, then press Retry.')
      };
    }
    if (status === 529 || type === 'overloaded_error') {
      return {
        ...base,
        kind: 'overloaded',
        title: trans.__('Claude is overloaded (529)'),
        detail: trans.__('The service is busy right now; this is not a problem with your request. Retry in a minute.')
      };
    }
    if (status === 413 || (type as string) === 'request_too_large') {
      return {
        ...base,
        kind: 'too-large',
        title: trans.__('The request is too large (413)'),
        detail: trans.__('Start a new chat or ask about less at once. %1', apiMessage).trim()
      };
    }
    if (status === 400 || status === 404 || type === 'invalid_request_error' || type === 'not_found_error') {
      return {
        ...base,
        kind: 'bad-request',
        title: trans.__('Claude could not accept the request (%1)', status ?? type),
        detail: apiMessage || error.message
      };
    }
    if (status === 504 || type === 'timeout_error') {
      return {
        ...base,
        kind: 'timeout',
        title: trans.__('The Claude API timed out (%1)', status ?? type),
        detail: apiMessage || trans.__('Retry in a moment.')
      };
    }
    if ((status !== undefined && status >= 500) || type === 'api_error') {
      return {
        ...base,
        kind: 'upstream',
        title:
          status !== undefined
            ? trans.__('The Claude API is unavailable (%1)', status)
            : trans.__('The Claude API reported an error'),
        detail: apiMessage || trans.__('Retry in a moment.')
      };
    }
    return {
      ...base,
      kind: 'unknown',
      title: trans.__('Claude returned an error (%1)', status ?? type ?? '?'),
      detail: apiMessage || error.message
    };
  }
}
