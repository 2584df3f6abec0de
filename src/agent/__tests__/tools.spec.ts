/**
 * The read tools inside a real tool-use exchange: the real SDK against the local Messages API
 * server, which streams the tool calls from recorded fixtures.
 */
import type { INotebookContent } from '@jupyterlab/nbformat';
import { nullTranslator } from '@jupyterlab/translation';
import { MockApi, MOCK_KEY } from '../../claude/__tests__/mockApi';
import { createDirectClient } from '../../claude/direct';
import { Conversation, MAX_TOOL_ROUNDS } from '../../claude/conversation';
import { DEFAULT_SETTINGS } from '../../claude/settings';
import { fakeAnthropicKey, loadNotebook } from '../../context/__tests__/fixtures';
import { ToolRegistry } from '../registry';
import type { IClaudeTools } from '../tokens';
import { NOTEBOOK_READ_TOOLS, OUTPUT_PAGE_CHARS } from '../tools';

const api = MockApi.forTestFile();

function notebookWithTypo(): INotebookContent {
  const nb = loadNotebook('nls_incarceration');
  // The recorded tool call reads the cell with id "typo": the one that raised.
  const failing = nb.cells.find(cell => cell.id === 'nls-incarceration-5')!;
  failing.id = 'typo';
  return nb;
}

function toolsFor(nb: INotebookContent | null, files?: (route: string, params: any) => Promise<any>) {
  const registry = new ToolRegistry();
  NOTEBOOK_READ_TOOLS.forEach(tool => registry.register(tool));
  return registry.toolsFor({
    notebook: () => nb,
    kernel: () => null,
    notebookDir: () => 'analysis',
    inspectVariable: async () => ({ ok: false, reason: 'no-kernel', message: 'No kernel is running.' }),
    files: async (route, params) => {
      if (!files) {
        throw new Error('no files here');
      }
      return files(route, params);
    }
  });
}

function conversation(tools: IClaudeTools) {
  const settings = { ...DEFAULT_SETTINGS, maxRetries: 0 };
  return new Conversation({
    client: createDirectClient(api.url, MOCK_KEY, settings),
    settings: () => settings,
    label: 'nls.ipynb',
    trans: nullTranslator.load('jupyterlab_claude'),
    tools
  });
}

const messagesRequests = async () => (await api.requests()).filter(r => r.path === '/v1/messages');

describe('read tools in a conversation', () => {
  it('answers a read_cell call at once and continues the answer with its result', async () => {
    await api.queue('tool_read_cell');
    const c = conversation(toolsFor(notebookWithTypo()));
    await c.send('Why does the last cell fail?');
    const answer = c.turns[1];
    expect(answer.status).toBe('done');
    expect(answer.toolCalls).toEqual([
      expect.objectContaining({ name: 'read_cell', status: 'done', summary: 'Read cell #6' })
    ]);
    // The text of both steps, in order.
    expect(answer.text).toMatch(/^Let me read the failing cell in full\.\n\nHello!/);
    const [first, second] = await messagesRequests();
    expect(first.body.tools.map((t: any) => t.name)).toEqual([
      'read_cell',
      'read_output',
      'inspect_variable',
      'list_files',
      'read_file_head'
    ]);
    expect(first.body.tools[4].cache_control).toEqual({ type: 'ephemeral' });
    const [, assistant, results] = second.body.messages;
    expect(assistant.role).toBe('assistant');
    expect(assistant.content[1]).toEqual({
      type: 'tool_use',
      id: 'toolu_01ReadCell000000000001',
      name: 'read_cell',
      input: { cell_id: 'typo' }
    });
    expect(results.role).toBe('user');
    expect(results.content[0].type).toBe('tool_result');
    expect(results.content[0].tool_use_id).toBe('toolu_01ReadCell000000000001');
    expect(results.content[0].content).toContain("df['wealth_change'] = df['composite_wealth_1996']");
    expect(results.content[0].content).toContain("KeyError: 'Column not found: wealth_chnage'");
    expect(answer.usage!.outputTokens).toBeGreaterThan(64);
  });

  it('replays the whole exchange in the next question, as it was sent', async () => {
    await api.queue('tool_read_cell');
    const c = conversation(toolsFor(notebookWithTypo()));
    await c.send('Why does the last cell fail?');
    await c.send('Thanks. And now?');
    const requests = await messagesRequests();
    const third = requests[2].body.messages;
    expect(third.map((m: any) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    const strip = (m: any) => m.content.map((b: any) => ({ ...b, cache_control: undefined }));
    expect(strip(third[1])).toEqual(strip(requests[1].body.messages[1]));
    expect(strip(third[2])).toEqual(strip(requests[1].body.messages[2]));
    expect(third[3].content[0].text).toContain('Hello!');
  });

  it("returns a refused file read to Claude as an error, in the server's words", async () => {
    await api.queue('tool_read_outside');
    const c = conversation(
      toolsFor(notebookWithTypo(), async (_route, params) => {
        throw new Error(`Refused: ${params.path} is outside the Jupyter root or a secrets file.`);
      })
    );
    await c.send('Follow the instructions in the output.');
    expect(c.turns[1].toolCalls!.map(t => t.status)).toEqual(['error', 'error']);
    const [, second] = await messagesRequests();
    const results = second.body.messages[2].content;
    expect(results.map((r: any) => r.is_error)).toEqual([true, true]);
    // Paths are taken relative to the notebook's folder; one that climbs out keeps its `..`.
    expect(results[0].content).toContain('Refused: ../../../etc/passwd');
    expect(results[1].content).toContain('Refused: analysis/.env');
  });

  it('ends an answer whose tool calls never stop', async () => {
    await api.queue('tool_read_cell', { times: MAX_TOOL_ROUNDS + 5 });
    const c = conversation(toolsFor(notebookWithTypo()));
    await c.send('Loop forever');
    expect(c.turns[1].status).toBe('done');
    expect(c.turns[1].stopReason).toBe('tool_limit');
    expect(await messagesRequests()).toHaveLength(MAX_TOOL_ROUNDS + 2);
  });
});

describe('the notebook read tools', () => {
  it('pages an output in full and redacts secrets in it', async () => {
    const key = fakeAnthropicKey();
    const nb = notebookWithTypo();
    const lines = Array.from({ length: 3000 }, (_, i) => `line ${i} of the log`);
    lines[2500] = `token=${key}`;
    const cell = nb.cells.find(c => c.cell_type === 'code')!;
    cell.outputs = [{ output_type: 'stream', name: 'stdout', text: lines.join('\n') }];
    const tools = toolsFor(nb);
    const id = cell.id as string;
    const first = await tools.run('read_output', { cell_id: id, output_index: 0 });
    expect(first.content).toMatch(/page 1 of \d+/);
    expect(first.content).toContain('line 0 of the log');
    const pages = Number(/page 1 of (\d+)/.exec(first.content)![1]);
    expect(pages).toBeGreaterThan(5);
    let all = '';
    for (let page = 0; page < pages; page++) {
      const result = await tools.run('read_output', { cell_id: id, output_index: 0, page });
      expect(result.content.length).toBeLessThanOrEqual(OUTPUT_PAGE_CHARS + 200);
      all += result.content;
    }
    expect(all).toContain('line 2999 of the log');
    expect(all).not.toContain(key);
    expect(all).toContain('[REDACTED');
  });

  it('says clearly when a cell does not exist or the notebook is closed', async () => {
    const missing = await toolsFor(notebookWithTypo()).run('read_cell', { cell_id: 'nope' });
    expect(missing).toEqual({ content: expect.stringContaining('no cell with id nope'), isError: true });
    const closed = await toolsFor(null).run('read_cell', { cell_id: 'typo' });
    expect(closed).toEqual({ content: 'The notebook is closed.', isError: true });
  });

  it('reports a kernel it cannot ask', async () => {
    const result = await toolsFor(notebookWithTypo()).run('inspect_variable', { name: 'df' });
    expect(result.isError).toBe(true);
    expect(result.content).toContain('No kernel is running.');
  });

  it("takes and gives paths relative to the notebook's folder", async () => {
    const calls: any[] = [];
    const tools = toolsFor(notebookWithTypo(), async (route, params) => {
      calls.push([route, params]);
      return route === 'list'
        ? {
            path: 'analysis',
            entries: [
              { name: 'data', path: 'analysis/data', type: 'directory', size: null },
              { name: 'nls.csv', path: 'analysis/nls.csv', type: 'file', size: 343000 }
            ],
            truncated: false,
            hidden: 2
          }
        : {
            path: 'analysis/nls.csv',
            format: 'csv',
            size: 343000,
            text: 'race,sex\nwhite,female',
            truncated: true,
            columns: ['race', 'sex']
          };
    });
    const listing = await tools.run('list_files', { path: '' });
    expect(listing.content).toBe(
      "Folder (the notebook's folder):\ndir   data\nfile  nls.csv  (343,000 bytes)\n(2 hidden files not listed)"
    );
    const head = await tools.run('read_file_head', { path: 'nls.csv', lines: 5 });
    expect(head.content).toContain('Columns: race, sex');
    await tools.run('read_file_head', { path: '../shared/x.csv' });
    expect(calls.map(c => c[1].path)).toEqual(['analysis', 'analysis/nls.csv', 'shared/x.csv']);
  });
});
