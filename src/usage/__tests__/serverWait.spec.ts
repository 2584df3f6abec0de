/**
 * @jest-environment node
 */
// A Jupyter server that does not answer: our routes give up after their timeout, and a
// question waits for the administrator's policy only so long.
import * as http from 'http';
import type { AddressInfo } from 'net';
import { ServerConnection } from '@jupyterlab/services';
import { APIError, requestAPI } from '../../api';
import { PolicyModel, policyKnownWithin } from '../policy';

let server: http.Server;
let settings: ServerConnection.ISettings;
const held: http.ServerResponse[] = [];

beforeAll(async () => {
  // Takes every request and never answers it.
  server = http.createServer((_request, response) => void held.push(response));
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  settings = ServerConnection.makeSettings({ baseUrl: `http://127.0.0.1:${port}/`, token: 't' });
});

afterAll(async () => {
  held.forEach(response => response.destroy());
  await new Promise(resolve => server.close(resolve));
});

describe('a Jupyter server that does not answer', () => {
  it('makes a call to our routes fail after its timeout, saying so', async () => {
    const started = Date.now();
    const call = requestAPI(settings, 'policy', { timeoutMs: 300 });
    await expect(call).rejects.toThrow(APIError);
    await expect(call).rejects.toThrow('The Jupyter server did not answer within 0.3 seconds.');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('still lets the caller stop a call, which is not said to be a timeout', async () => {
    const controller = new AbortController();
    const call = requestAPI(settings, 'policy', { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toThrow('The Jupyter server could not be reached.');
  });

  it('holds a question for the policy only so long', async () => {
    const never = { ready: new Promise<void>(() => undefined) };
    await expect(policyKnownWithin(never, 50)).resolves.toBe(false);
    await expect(policyKnownWithin({ ready: Promise.resolve() }, 50)).resolves.toBe(true);
    await expect(policyKnownWithin({ ready: Promise.reject(new Error('x')) }, 50)).resolves.toBe(true);
    // The policy model itself settles (with its error) instead of waiting for ever.
    const policy = new PolicyModel({ serverSettings: settings });
    expect(await policyKnownWithin(policy, 100)).toBe(false);
  });
});
