/**
 * @jest-environment node
 */
/**
 * Longer runs: the tool-round limit and the task's token budget are settings; at a limit
 * Claude is told to summarise, an answer that keeps calling is ended, and Continue resumes
 * with a request the API accepts.
 */
import { nullTranslator } from '@jupyterlab/translation';
import { ToolRegistry } from '../../agent/registry';
import { NOTEBOOK_READ_TOOLS } from '../../agent/tools';
import { loadNotebook } from '../../context/__tests__/fixtures';
import { Conversation } from '../conversation';
import { createDirectClient } from '../direct';
import { DEFAULT_SETTINGS, readSettings } from '../settings';
import type { IClaudeSettings } from '../tokens';
import { MOCK_KEY, MockApi } from './mockApi';

const api = MockApi.forTestFile();
const trans = nullTranslator.load('jupyterlab_claude');

function conversation(overrides: Partial<IClaudeSettings>) {
  const settings = { ...DEFAULT_SETTINGS, maxRetries: 0, ...overrides };
  const tools = new ToolRegistry();
  NOTEBOOK_READ_TOOLS.forEach(tool => tools.register(tool));
  const nb = loadNotebook('nls_incarceration');
  return new Conversation({
    client: createDirectClient(api.url, MOCK_KEY, settings),
    settings: () => settings,
    trans,
    tools: tools.toolsFor({
      notebook: () => nb,
      kernel: () => null,
      notebookDir: () => '',
      inspectVariable: async () => ({ ok: false, reason: 'no-kernel', message: 'No kernel.' }),
      files: async () => ({})
    })
  });
}

async function messages(): Promise<any[]> {
  return (await api.requests()).filter(r => r.path === '/v1/messages');
}

function resultsOf(request: any): any[] {
  const last = request.body.messages[request.body.messages.length - 1];
  return last.content.filter((b: any) => b.type === 'tool_result');
}

describe('the tool-round limit', () => {
  it('is 25 rounds by default, read from the settings', () => {
    expect(DEFAULT_SETTINGS.maxToolRounds).toBe(25);
    expect(readSettings({ maxToolRounds: 40 }).maxToolRounds).toBe(40);
    expect(readSettings({ maxToolRounds: 0 }).maxToolRounds).toBe(25);
    expect(readSettings({ maxToolRounds: 1e6 }).maxToolRounds).toBe(200);
  });

  it('tells Claude at the limit, ends an answer that keeps calling, and Continue resumes', async () => {
    await api.queue('tool_read_cell', { times: 10 });
    const c = conversation({ maxToolRounds: 3 });
    await c.send('Read everything');
    const answer = c.turns[1];
    expect(answer.status).toBe('done');
    expect(answer.stopReason).toBe('tool_limit');
    expect(answer.limit).toEqual({ kind: 'rounds', value: 3 });
    const sent = await messages();
    // Three rounds run, one is told the limit, the next call ends the answer.
    expect(sent).toHaveLength(5);
    expect(resultsOf(sent[4])[0].content).toContain('Tool limit reached (3 rounds for one question).');
    expect(resultsOf(sent[4])[0].content).toContain('summarise what is done');
    expect(resultsOf(sent[3])[0].content).not.toContain('Tool limit');
    await api.reset();
    await c.continue();
    expect(c.turns[2].text).toBe('Continue the task from where you stopped.');
    expect(c.turns[3].status).toBe('done');
    // The calls left unanswered at the end were answered (with the limit) before the new question.
    const [resumed] = await messages();
    const last = resumed.body.messages[resumed.body.messages.length - 1];
    expect(last.role).toBe('user');
    expect(last.content.map((b: any) => b.type)).toEqual(['tool_result', 'text']);
  });

  it('keeps Continue for an answer that summarised at the limit', async () => {
    await api.queue('tool_read_cell', { times: 2 });
    await api.queue('hello');
    const c = conversation({ maxToolRounds: 1 });
    await c.send('Read two cells');
    expect(c.turns[1].stopReason).toBe('end_turn');
    expect(c.turns[1].limit).toEqual({ kind: 'rounds', value: 1 });
    expect(c.turns[1].text).toContain('Hello!');
  });
});

describe('the token budget of a task', () => {
  it('stops the tool rounds once the task has used its budget', async () => {
    await api.queue('tool_read_cell', { times: 5 });
    const c = conversation({ taskTokenBudget: 10 });
    await c.send('Read on');
    const answer = c.turns[1];
    expect(answer.stopReason).toBe('token_budget');
    expect(answer.limit).toEqual({ kind: 'tokens', value: 10 });
    const sent = await messages();
    expect(sent).toHaveLength(2);
    expect(resultsOf(sent[1])[0].content).toContain('Token budget reached (10 tokens for this task).');
  });

  it('has no budget at 0', async () => {
    await api.queue('tool_read_cell', { times: 2 });
    const c = conversation({ taskTokenBudget: 0 });
    await c.send('Read on');
    expect(c.turns[1].limit).toBeUndefined();
    expect(await messages()).toHaveLength(3);
  });
});
