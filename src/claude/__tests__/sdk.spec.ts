/**
 * @jest-environment node
 */
import { nullTranslator } from '@jupyterlab/translation';
import { describeError, isUserAbort } from '../errors';
import { loadedSDK, loadSDK } from '../sdk';

const trans = nullTranslator.load('jupyterlab-claude');

describe('the lazily loaded SDK', () => {
  it('is not loaded until something asks for it, then loads once', async () => {
    expect(loadedSDK()).toBeNull();
    const [first, second] = await Promise.all([loadSDK(), loadSDK()]);
    expect(first).toBe(second);
    expect(loadedSDK()).toBe(first);
    expect(typeof first.Anthropic).toBe('function');
  });

  it("recognises the loaded SDK's errors", async () => {
    const sdk = await loadSDK();
    expect(isUserAbort(new sdk.APIUserAbortError())).toBe(true);
    expect(isUserAbort(new Error('Request was aborted.'))).toBe(false);
    const overloaded = sdk.APIError.generate(
      529,
      { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
      undefined,
      new Headers()
    );
    expect(describeError(overloaded, trans).kind).toBe('overloaded');
    expect(describeError(new sdk.APIConnectionTimeoutError(), trans).kind).toBe('timeout');
    expect(describeError(new TypeError('boom'), trans)).toMatchObject({ kind: 'unknown', detail: 'boom' });
  });
});
