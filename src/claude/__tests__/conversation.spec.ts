/**
 * @jest-environment node
 */
// The Anthropic SDK does not run under jsdom: these tests run in Node against the
// project's local Messages API server, with the real SDK doing the HTTP and SSE parsing.
import { APIError } from '@anthropic-ai/sdk';
import { nullTranslator } from '@jupyterlab/translation';
import { createDirectClient } from '../direct';
import { Conversation, toMessageParams } from '../conversation';
import { describeError, retryAfterSeconds } from '../errors';
import { listModels } from '../models';
import { ConversationRegistry } from '../registry';
import { DEFAULT_SETTINGS, readSettings } from '../settings';
import type { IChatTurn, IClaudeSettings } from '../tokens';
import type { ISentContext } from '../../context/tokens';
import { MOCK_KEY, MockApi } from './mockApi';

const trans = nullTranslator.load('jupyterlab_claude');
const api = MockApi.forTestFile();

function conversation(overrides: Partial<IClaudeSettings> = {}, label = 'analysis.ipynb') {
  const settings = { ...DEFAULT_SETTINGS, maxRetries: 0, ...overrides };
  return new Conversation({
    client: createDirectClient(api.url, MOCK_KEY, settings),
    settings: () => settings,
    label,
    trans
  });
}

function lastTurn(c: Conversation): IChatTurn {
  return c.turns[c.turns.length - 1];
}

describe('Conversation', () => {
  it('streams an answer token by token and ends done, with usage and cache fields', async () => {
    const c = conversation();
    const seen: string[] = [];
    c.changed.connect((_, turn) => {
      if (turn?.role === 'assistant' && turn.status === 'streaming') {
        seen.push(turn.text);
      }
    });
    await c.send('Hi');
    const answer = lastTurn(c);
    expect(answer.status).toBe('done');
    expect(answer.text).toBe("Hello! I'm Claude. How can I help you with your notebook today?");
    // Text arrived in several pieces before the end.
    const partials = new Set(seen.filter(t => t && t !== answer.text));
    expect(partials.size).toBeGreaterThan(2);
    expect(answer.usage!.cacheCreationInputTokens).toBeGreaterThanOrEqual(0);
    expect(answer.usage!.outputTokens).toBeGreaterThan(0);
    expect(answer.stopReason).toBe('end_turn');
    expect(answer.requestId).toMatch(/^req_/);
    expect(c.isBusy).toBe(false);
  });

  it('sends a request that follows the Messages API protocol', async () => {
    const c = conversation({ maxTokens: 1234, effort: 'low' });
    await c.send('What is in my data frame?');
    const [request] = (await api.requests()).filter(r => r.path === '/v1/messages');
    expect(request.method).toBe('POST');
    expect(request.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // This SDK sends the key as a bearer token.
    expect(request.headers['authorization'] ?? request.headers['x-api-key']).toContain(MOCK_KEY);
    expect(request.body.model).toBe(DEFAULT_SETTINGS.model);
    expect(request.body.max_tokens).toBe(1234);
    expect(request.body.stream).toBe(true);
    expect(request.body.output_config).toEqual({ effort: 'low' });
    expect(request.body.messages).toEqual([
      {
        role: 'user',
        content: [{ type: 'text', text: 'What is in my data frame?', cache_control: { type: 'ephemeral' } }]
      }
    ]);
    expect(request.body.system[0].cache_control).toEqual({ type: 'ephemeral' });
    expect(request.body.system[0].text).toContain('analysis.ipynb');
  });

  it('carries the history, alternating roles, into the next question', async () => {
    const c = conversation();
    await c.send('First question');
    await c.send('Second question');
    const requests = (await api.requests()).filter(r => r.path === '/v1/messages');
    expect(requests[1].body.messages.map((m: any) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(requests[1].body.messages[1].content[0].text).toContain('Hello!');
    // The end of the request before (the previous question) and the end of the conversation
    // carry cache breakpoints; the answer between them does not.
    expect(requests[1].body.messages[0].content[0].cache_control).toEqual({ type: 'ephemeral' });
    expect(requests[1].body.messages[1].content[0].cache_control).toBeUndefined();
    expect(requests[1].body.messages[2].content[0].cache_control).toEqual({ type: 'ephemeral' });
  });

  it('keeps the partial answer when the scientist presses Stop', async () => {
    await api.queue('slow_long');
    const c = conversation();
    const done = c.send('Tell me a long story');
    await new Promise<void>(resolve => {
      c.changed.connect((_, turn) => {
        if (turn?.role === 'assistant' && turn.text.length > 20) {
          resolve();
        }
      });
    });
    c.stop();
    await done;
    const answer = lastTurn(c);
    expect(answer.status).toBe('stopped');
    expect(answer.text.length).toBeGreaterThan(20);
    expect(answer.error).toBeUndefined();
    expect(c.isBusy).toBe(false);
  });

  it('keeps the partial answer, marked cut, when the connection drops mid-stream', async () => {
    await api.queue('cut_mid_stream');
    const c = conversation({ maxRetries: 2 });
    await c.send('Explain the regression');
    const answer = lastTurn(c);
    expect(answer.status).toBe('cut');
    expect(answer.text.length).toBeGreaterThan(0);
    expect(answer.error!.title).toMatch(/cut off/);
    // A request that started streaming is never resent.
    expect((await api.requests()).filter(r => r.path === '/v1/messages')).toHaveLength(1);
  });

  it('keeps the partial answer when an error event arrives mid-stream', async () => {
    await api.queue('error_event_mid_stream');
    const c = conversation();
    await c.send('Go on');
    const answer = lastTurn(c);
    expect(answer.status).toBe('cut');
    expect(answer.text.length).toBeGreaterThan(0);
    expect(answer.error!.kind).toBe('overloaded');
  });

  it('reports a malformed event without losing what arrived', async () => {
    await api.queue('malformed_event');
    const c = conversation();
    await c.send('Go on');
    const answer = lastTurn(c);
    expect(['cut', 'error']).toContain(answer.status);
    expect(answer.error).toBeDefined();
    expect(c.turns[0].text).toBe('Go on');
  });

  it.each([
    ['error_429', 'rate-limited', /Retry in 2 s/],
    ['error_529', 'overloaded', /overloaded/i],
    ['error_500', 'upstream', /unavailable \(500\)/],
    ['error_401', 'invalid-key', /rejected \(401\)/]
  ])('shows %s as a clear %s error and keeps the question', async (fixture, kind, text) => {
    await api.queue(fixture);
    const c = conversation();
    await c.send('Why is my fit failing?');
    const answer = lastTurn(c);
    expect(answer.status).toBe('error');
    expect(answer.error!.kind).toBe(kind);
    expect(`${answer.error!.title} ${answer.error!.detail}`).toMatch(text);
    expect(c.turns[0].text).toBe('Why is my fit failing?');
  });

  it('retries a rate-limited request as the SDK rules say, honouring retry-after', async () => {
    await api.queue('error_429', { headers: { 'retry-after': '1' } });
    const c = conversation({ maxRetries: 1 });
    const started = Date.now();
    await c.send('Hi');
    expect(lastTurn(c).status).toBe('done');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect((await api.requests()).filter(r => r.path === '/v1/messages')).toHaveLength(2);
  });

  it('asks the same question again on Retry, replacing the failed answer', async () => {
    await api.queue('error_529');
    const c = conversation();
    await c.send('Summarise the data');
    expect(lastTurn(c).status).toBe('error');
    await c.retry();
    expect(c.turns).toHaveLength(2);
    expect(lastTurn(c).status).toBe('done');
    const requests = (await api.requests()).filter(r => r.path === '/v1/messages');
    expect(requests[1].body.messages).toHaveLength(1);
    expect(requests[1].body.messages[0].content[0].text).toBe('Summarise the data');
  });

  it('streams thinking separately from the answer', async () => {
    await api.queue('thinking');
    const c = conversation();
    await c.send('Think first');
    const answer = lastTurn(c);
    expect(answer.status).toBe('done');
    expect(answer.thinking.length).toBeGreaterThan(0);
    expect(answer.text.length).toBeGreaterThan(0);
    expect(answer.text).not.toContain(answer.thinking);
  });
});

describe('Conversation with notebook context', () => {
  // A real 1x1 PNG.
  const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
  const sentContext = (n: number): ISentContext => ({
    stableText: '# Notebook context\n## Outline\n#1 code [1] import pandas as pd',
    volatileText: `## Active cell #${n}\ndf.describe()`,
    images: [{ id: 'c1/outputs/0', title: 'cell #1 output 1', mediaType: 'image/png', base64: PIXEL }],
    parts: [],
    omitted: [],
    totalTokens: 100,
    redactions: 0,
    notes: []
  });

  it('sends the stable outline in the system prompt and the rest with the question, cached at both ends', async () => {
    const c = conversation();
    let n = 0;
    c.setContextSource(async () => sentContext(++n));
    await c.send('What is in df?');
    await c.send('And its dtypes?');
    const [first, second] = (await api.requests()).filter(r => r.path === '/v1/messages');
    expect(first.body.system).toHaveLength(2);
    expect(first.body.system[1].text).toContain('## Outline');
    expect(first.body.system[1].cache_control).toEqual({ type: 'ephemeral' });
    expect(first.body.system[0].cache_control).toBeUndefined();
    const question = first.body.messages[0].content;
    expect(question[0].text).toBe('<notebook_context>\n## Active cell #1\ndf.describe()\n</notebook_context>');
    expect(question[2]).toEqual({
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: PIXEL }
    });
    expect(question[3].text).toBe('What is in df?');
    expect(question[3].cache_control).toEqual({ type: 'ephemeral' });
    // The follow-up replays the first question exactly as it was sent (so the cache holds).
    const replayed = second.body.messages[0].content.map((b: any) => ({ ...b, cache_control: undefined }));
    const original = question.map((b: any) => ({ ...b, cache_control: undefined }));
    expect(replayed).toEqual(original);
    expect(second.body.messages[2].content[0].text).toContain('## Active cell #2');
    expect(c.turns[0].context!.volatileText).toContain('#1');
  });

  it('keeps the first outline in the system prompt when the notebook changes, and sends the new one with the question', async () => {
    const c = conversation();
    let n = 0;
    c.setContextSource(async () => ({
      ...sentContext(++n),
      stableText:
        n === 1 ? '# Notebook context\n## Outline\n#1 code' : '# Notebook context\n## Outline\n#1 code\n#2 code'
    }));
    await c.send('What is in df?');
    await c.send('And now?');
    const [first, second] = (await api.requests()).filter(r => r.path === '/v1/messages');
    // Byte for byte the same system prompt, so the cached prefix still holds.
    expect(second.body.system).toEqual(first.body.system);
    const question = second.body.messages[2].content;
    expect(question[0].text).toBe(
      '<notebook_outline_now>\n# Notebook context\n## Outline\n#1 code\n#2 code\n</notebook_outline_now>'
    );
    expect(first.body.messages[0].content[0].text).toContain('<notebook_context>');
  });

  it('still asks when the context cannot be gathered', async () => {
    const c = conversation();
    c.setContextSource(async () => {
      throw new Error('kernel went away');
    });
    await c.send('Anything?');
    expect(lastTurn(c).status).toBe('done');
    expect(c.turns[0].context).toBeUndefined();
  });

  it('stops before asking when Stop is pressed while the context is gathered', async () => {
    const c = conversation();
    let release!: () => void;
    c.setContextSource(() => new Promise(resolve => (release = () => resolve(sentContext(1)))));
    const done = c.send('Slow context');
    await new Promise(resolve => setTimeout(resolve, 20));
    expect(c.isBusy).toBe(true);
    c.stop();
    release();
    await done;
    expect(lastTurn(c).status).toBe('stopped');
    expect((await api.requests()).filter(r => r.path === '/v1/messages')).toHaveLength(0);
  });
});

describe('ConversationRegistry', () => {
  it('keeps one conversation per notebook, and an answer lands only where it was asked', async () => {
    await api.queue('slow_long', { event_delay_ms: 20 });
    const settings = { ...DEFAULT_SETTINGS, maxRetries: 0 };
    const registry = new ConversationRegistry({
      createClient: s => createDirectClient(api.url, MOCK_KEY, s),
      settings,
      trans
    });
    const notebookA = {};
    const notebookB = {};
    const a = registry.activate(notebookA, 'a.ipynb');
    const answering = a.send('Question for A');
    const b = registry.activate(notebookB, 'b.ipynb');
    expect(registry.current).toBe(b);
    await answering;
    expect(b.turns).toHaveLength(0);
    expect(a.turns).toHaveLength(2);
    expect(a.turns[1].status).toBe('done');
    expect(registry.activate(notebookA, 'a.ipynb')).toBe(a);
  });

  it('stops and drops the conversation of a closed notebook', async () => {
    await api.queue('slow_long');
    const registry = new ConversationRegistry({
      createClient: s => createDirectClient(api.url, MOCK_KEY, s),
      settings: { ...DEFAULT_SETTINGS, maxRetries: 0 },
      trans
    });
    const notebook = {};
    const c = registry.activate(notebook, 'x.ipynb');
    const answering = c.send('Long one');
    registry.forget(notebook);
    await answering;
    expect(c.isDisposed).toBe(true);
    expect(registry.current).not.toBe(c);
  });
});

describe('listModels', () => {
  it("lists the upstream's models, keeping the configured one", async () => {
    const client = createDirectClient(api.url, MOCK_KEY, { maxRetries: 0, timeoutSeconds: 10 });
    const models = await listModels(client, 'my-gateway-model');
    expect(models[0].id).toBe('my-gateway-model');
    expect(models.length).toBeGreaterThan(2);
    expect(models.every(m => m.id && m.displayName)).toBe(true);
  });

  it('falls back to the configured model when the upstream cannot list', async () => {
    const client = createDirectClient('http://127.0.0.1:9', MOCK_KEY, { maxRetries: 0, timeoutSeconds: 2 });
    expect(await listModels(client, 'claude-x')).toEqual([{ id: 'claude-x', displayName: 'claude-x' }]);
  });
});

describe('toMessageParams', () => {
  const turn = (role: 'user' | 'assistant', text: string, status: IChatTurn['status'] = 'done'): IChatTurn => ({
    id: Math.random().toString(),
    role,
    text,
    thinking: '',
    status
  });

  it('leaves out answers that failed before any text and joins the questions around them', () => {
    expect(toMessageParams([turn('user', 'a'), turn('assistant', '', 'error'), turn('user', 'b')])).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' }
        ]
      }
    ]);
  });

  it('keeps stopped and cut partial answers, without trailing whitespace', () => {
    expect(toMessageParams([turn('user', 'a'), turn('assistant', 'partial  \n', 'cut'), turn('user', 'b')])).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'a' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'partial' }] },
      { role: 'user', content: [{ type: 'text', text: 'b' }] }
    ]);
  });
});

describe('errors', () => {
  it('tells the scientist exactly how to set a missing key', () => {
    const error = APIError.generate(
      401,
      { type: 'error', error: { type: 'authentication_error', message: 'Set ANTHROPIC_API_KEY ...' } },
      undefined,
      new Headers({ 'x-claude-proxy-error': 'no-api-key' })
    );
    const described = describeError(error, trans);
    expect(described.kind).toBe('no-key');
    expect(described.detail).toContain('ANTHROPIC_API_KEY');
  });

  it("gives the administrator's rule in the server's words, for a refusal and for the daily limit", () => {
    for (const [status, type, reason] of [
      [403, 'permission_error', 'model-not-allowed'],
      [429, 'rate_limit_error', 'daily-limit']
    ] as const) {
      const message = `Refused by rule ${reason}; it resets at midnight server time.`;
      const error = APIError.generate(
        status,
        { type: 'error', error: { type, message } },
        undefined,
        new Headers({ 'x-claude-policy': reason, 'x-should-retry': 'false' })
      );
      const described = describeError(error, trans);
      expect(described.kind).toBe('permission');
      expect(described.title).toBe('Set by your administrator');
      expect(described.detail).toBe(message);
    }
  });

  it('reads retry-after in seconds, milliseconds and HTTP dates', () => {
    expect(retryAfterSeconds(new Headers({ 'retry-after': '7' }))).toBe(7);
    expect(retryAfterSeconds(new Headers({ 'retry-after-ms': '1500' }))).toBe(2);
    const inTen = new Date(Date.now() + 10_000).toUTCString();
    expect(retryAfterSeconds(new Headers({ 'retry-after': inTen }))).toBeGreaterThanOrEqual(8);
    expect(retryAfterSeconds(new Headers())).toBeUndefined();
  });
});

describe('readSettings', () => {
  it('keeps defaults for missing or wrong values', () => {
    expect(readSettings({})).toEqual(DEFAULT_SETTINGS);
    expect(readSettings({ maxTokens: -3, effort: 'huge', model: ' ' })).toEqual(DEFAULT_SETTINGS);
    expect(readSettings({ model: 'claude-opus-5-5', effort: 'high', maxRetries: 0 })).toMatchObject({
      model: 'claude-opus-5-5',
      effort: 'high',
      maxRetries: 0
    });
  });
});

describe('createClaudeClient', () => {
  it("goes through ServerConnection to the proxy route with Jupyter's token and no key", async () => {
    const { ServerConnection } = await import('@jupyterlab/services');
    const { createClaudeClient } = await import('../client');
    const serverSettings = ServerConnection.makeSettings({
      baseUrl: `${api.url}/jupyter/`,
      token: 'jupyter-token'
    });
    const client = await createClaudeClient(serverSettings, { maxRetries: 0, timeoutSeconds: 5 });
    // The mock has no /jupyter/claude route, so it answers 404; what matters is what was sent.
    await expect(
      client.messages.create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
    ).rejects.toThrow();
    const [request] = await api.requests();
    expect(request.path).toBe('/jupyter/claude/v1/messages');
    expect(request.headers['authorization']).toBe('token jupyter-token');
    expect(request.headers['x-api-key']).toBeUndefined();
  });
});

describe('faults', () => {
  it('gives up on an upstream that stalls past the timeout, keeping the partial answer', async () => {
    await api.queue('stall');
    const c = conversation({ timeoutSeconds: 1.5 });
    await c.send('Anything?');
    const answer = lastTurn(c);
    expect(['cut', 'error']).toContain(answer.status);
    expect(answer.error).toBeDefined();
    expect(c.isBusy).toBe(false);
    expect(c.turns[0].text).toBe('Anything?');
  });
});

/**
 * Every upstream fault the local Messages API server can inject, with the SDK's retries on
 * (two): each ends in a clear message, keeps the question and what arrived, is retried only
 * when the SDK's rules allow and never once the stream has started, and leaves the
 * conversation usable for the next question.
 */
describe('fault matrix', () => {
  const cases: Array<{
    fixture: string;
    extra?: Record<string, unknown>;
    status: 'error' | 'cut';
    kind?: string;
    requests: number;
    partial: boolean;
  }> = [
    // Retryable before the stream starts: the SDK tries 1 + maxRetries times, then reports.
    {
      fixture: 'error_429',
      extra: { times: 3, headers: { 'retry-after': '0' } },
      status: 'error',
      kind: 'rate-limited',
      requests: 3,
      partial: false
    },
    { fixture: 'error_529', extra: { times: 3 }, status: 'error', kind: 'overloaded', requests: 3, partial: false },
    { fixture: 'error_500', extra: { times: 3 }, status: 'error', kind: 'upstream', requests: 3, partial: false },
    // Not retryable: a rejected key is reported at once.
    { fixture: 'error_401', status: 'error', kind: 'invalid-key', requests: 1, partial: false },
    // Once the stream started, nothing is resent.
    { fixture: 'cut_mid_stream', status: 'cut', requests: 1, partial: true },
    { fixture: 'error_event_mid_stream', status: 'cut', kind: 'overloaded', requests: 1, partial: true },
    { fixture: 'malformed_event', status: 'cut', requests: 1, partial: true },
    { fixture: 'stall', extra: { stall_after_events: 6 }, status: 'cut', requests: 1, partial: true }
  ];

  it.each(cases)('$fixture: clear message, nothing lost, $requests request(s), still usable', async c => {
    await api.queue(c.fixture, c.extra ?? {});
    const chat = conversation({ maxRetries: 2, timeoutSeconds: 2 });
    await chat.send('Fit the model again');
    const answer = lastTurn(chat);
    if (c.fixture === 'malformed_event') {
      expect(['cut', 'error']).toContain(answer.status);
    } else {
      expect(answer.status).toBe(c.status);
    }
    if (c.kind) {
      expect(answer.error!.kind).toBe(c.kind);
    }
    expect(answer.error!.title.length).toBeGreaterThan(0);
    expect(chat.turns[0].text).toBe('Fit the model again');
    if (c.partial) {
      expect(answer.text.length).toBeGreaterThan(0);
    }
    expect(chat.isBusy).toBe(false);
    expect((await api.requests()).filter(r => r.path === '/v1/messages')).toHaveLength(c.requests);

    // The conversation goes on: the next question is answered, with the history intact.
    await chat.send('And now?');
    expect(lastTurn(chat).status).toBe('done');
    const last = (await api.requests()).filter(r => r.path === '/v1/messages').pop()!;
    expect(JSON.stringify(last.body.messages)).toContain('Fit the model again');
  });
});
