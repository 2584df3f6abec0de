import { isWithheld, openPolicy, parsePolicy } from '../policy';

describe('parsePolicy', () => {
  it("reads the server's view", () => {
    const { policy, today } = parsePolicy({
      allowed_models: ['claude-haiku-4-5'],
      max_tokens: 2048,
      daily_token_limit: 100000,
      cache_read_weight: 0.1,
      disabled_tools: ['run', 'mcp'],
      prices: { 'claude-haiku-4-5': { input: 2, output: 8, cache_read: 0.2, cache_write: 2.5 } },
      managed: ['allowed_models', 'max_tokens'],
      audit: true,
      usage: {
        day: '2026-03-02',
        tokens: { input: 10, output: 5, cache_read: 100, cache_write: 0 },
        counted: 25,
        limit: 100000,
        resets_at: '2026-03-03T00:00:00'
      }
    });
    expect(policy).toEqual({
      allowedModels: ['claude-haiku-4-5'],
      maxTokens: 2048,
      dailyTokenLimit: 100000,
      cacheReadWeight: 0.1,
      disabledTools: ['run', 'mcp'],
      prices: { 'claude-haiku-4-5': { input: 2, output: 8, cacheRead: 0.2, cacheWrite: 2.5 } },
      managed: ['allowed_models', 'max_tokens'],
      audit: true,
      auditContents: false
    });
    expect(today).toEqual({
      day: '2026-03-02',
      tokens: { input: 10, output: 5, cacheRead: 100, cacheWrite: 0 },
      counted: 25,
      limit: 100000,
      resetsAt: '2026-03-03T00:00:00'
    });
  });

  it('turns anything malformed into no rule rather than a broken panel', () => {
    expect(parsePolicy(null)).toEqual({ policy: openPolicy(), today: null });
    const { policy } = parsePolicy({
      allowed_models: 'claude-haiku-4-5',
      max_tokens: -3,
      daily_token_limit: 'lots',
      disabled_tools: [1, 'run'],
      prices: { x: { input: 'cheap', output: -1 } },
      managed: [null]
    });
    expect(policy.allowedModels).toEqual([]);
    expect(policy.maxTokens).toBe(0);
    expect(policy.dailyTokenLimit).toBe(0);
    expect(policy.disabledTools).toEqual(['run']);
    expect(policy.prices).toEqual({ x: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } });
    expect(policy.managed).toEqual([]);
  });
});

describe('isWithheld', () => {
  const readCell = { name: 'read_cell', kind: 'read' as const };
  const readFile = { name: 'read_file_head', kind: 'read' as const };
  const insert = { name: 'insert_cell', kind: 'write' as const };
  const run = { name: 'run_cell', kind: 'run' as const };
  const mcp = { name: 'mcp__lab__query', kind: 'external' as const };

  it('withholds nothing without a rule', () => {
    expect([readCell, readFile, insert, run, mcp].some(t => isWithheld(t, []))).toBe(false);
  });

  it('withholds a tool by its name', () => {
    expect(isWithheld(run, ['run_cell'])).toBe(true);
    expect(isWithheld(insert, ['run_cell'])).toBe(false);
  });

  it('withholds the groups: files by name, edits, run and mcp by kind', () => {
    expect([readCell, readFile, insert, run, mcp].filter(t => isWithheld(t, ['files']))).toEqual([readFile]);
    expect([readCell, readFile, insert, run, mcp].filter(t => isWithheld(t, ['edits']))).toEqual([insert]);
    expect([readCell, readFile, insert, run, mcp].filter(t => isWithheld(t, ['run']))).toEqual([run]);
    expect([readCell, readFile, insert, run, mcp].filter(t => isWithheld(t, ['mcp']))).toEqual([mcp]);
  });
});
