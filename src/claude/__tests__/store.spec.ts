/**
 * @jest-environment node
 */
// Saving and restoring conversations: real answers from the local Messages API server,
// saved as JSON and restored into a new conversation, must continue exactly.
import { nullTranslator } from '@jupyterlab/translation';
import { createDirectClient } from '../direct';
import { Conversation } from '../conversation';
import { ConversationSaver, FIRST_CONVERSATION_ID } from '../persistence';
import { ConversationRegistry } from '../registry';
import { DEFAULT_SETTINGS } from '../settings';
import { fromStored, toStored, type IConversationStore, type IStoredConversation } from '../store';
import type { IClaudeTools } from '../../agent/tokens';
import type { IConversationSummary } from '../tokens';
import type { ISentContext } from '../../context/tokens';
import { MOCK_KEY, MockApi } from './mockApi';

const trans = nullTranslator.load('jupyterlab_claude');
const settings = { ...DEFAULT_SETTINGS, maxRetries: 0 };
const api = MockApi.forTestFile();

const context: ISentContext = {
  stableText: '# analysis.ipynb\n- cell #1: import pandas',
  volatileText: '## Active cell #1\ndf.describe()',
  images: [{ id: 'img-1', title: 'cell #2 plot', mediaType: 'image/png', base64: 'iVBORw0KGgo=' }],
  parts: [{ id: 'outline', kind: 'outline', title: 'Outline', tokens: 12 }],
  omitted: [],
  totalTokens: 40,
  redactions: 0,
  notes: []
};

const tools: IClaudeTools = {
  definitions: () => [
    { name: 'read_cell', description: 'Read a cell in full.', input_schema: { type: 'object', properties: {} } }
  ],
  describe: name => `Called ${name}`,
  run: async () => ({ content: 'x = 1\nprint(undefined_name)' })
};

function conversation(options: Partial<Conversation.IOptions> = {}) {
  return new Conversation({
    client: createDirectClient(api.url, MOCK_KEY, settings),
    settings: () => settings,
    label: 'analysis.ipynb',
    trans,
    ...options
  });
}

/** Save as the server would receive it, then read it back into a new conversation. */
function reload(c: Conversation, options: Partial<Conversation.IOptions> = {}): Conversation {
  const json = JSON.stringify(toStored(c, 'analysis/run.ipynb'), null, 2);
  const restored = conversation(options);
  restored.restore(fromStored(JSON.parse(json) as IStoredConversation));
  return restored;
}

/** A store in memory that merges by turn id, as the server does. */
class MemoryStore implements IConversationStore {
  files = new Map<string, IStoredConversation>();
  saves: IStoredConversation[] = [];
  failing = false;

  async list(notebook: string): Promise<IConversationSummary[]> {
    return [...this.files.values()]
      .filter(f => f.notebook === notebook)
      .sort((a, b) => (b.updated ?? '').localeCompare(a.updated ?? ''))
      .map(f => ({ id: f.id, title: f.title, created: f.created, updated: f.updated ?? '', turns: f.turns.length }));
  }

  async get(notebook: string, id: string): Promise<IStoredConversation> {
    const file = this.files.get(`${notebook}/${id}`);
    if (!file) {
      throw new Error('not found');
    }
    return JSON.parse(JSON.stringify(file));
  }

  async save(notebook: string, c: IStoredConversation): Promise<IStoredConversation> {
    if (this.failing) {
      throw new Error('The Jupyter server could not be reached.');
    }
    this.saves.push(JSON.parse(JSON.stringify(c)));
    const key = `${notebook}/${c.id}`;
    const old = this.files.get(key);
    const turns = [...(old?.turns ?? [])];
    for (const t of c.turns) {
      const i = turns.findIndex(o => o.id === t.id);
      if (i >= 0) {
        turns[i] = t;
      } else {
        turns.push(t);
      }
    }
    const saved = { ...c, turns, updated: new Date(Date.now() + this.files.size).toISOString() };
    this.files.set(key, saved);
    return saved;
  }

  async remove(notebook: string, id: string): Promise<void> {
    this.files.delete(`${notebook}/${id}`);
  }
}

const wait = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('saving and restoring a conversation', () => {
  it('replays the history exactly: the restored conversation sends the same request', async () => {
    await api.queue('thinking');
    await api.queue('tool_read_cell');
    const c = conversation({ context: async () => context, tools });
    await c.send('Think first');
    await c.send('Why does the last cell fail?');
    expect(c.turns.map(t => t.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(c.turns[3].exchange!.length).toBeGreaterThan(1);

    const restored = reload(c, { context: async () => context, tools });
    expect(restored.id).toBe(c.id);
    expect(restored.created).toBe(c.created);
    expect(restored.turns).toEqual(c.turns);
    expect(restored.buildRequest()).toEqual(c.buildRequest());
    // Tool calls with their ids, and the plots sent, travel back unchanged.
    const blocks = restored.buildRequest().messages.flatMap(m => m.content as any[]);
    expect(blocks.some(b => b.type === 'tool_use')).toBe(true);
    expect(blocks.some(b => b.type === 'image')).toBe(true);
  });

  it('continues a restored conversation with its whole history', async () => {
    const c = conversation();
    await c.send('Hi');
    const restored = reload(c);
    await api.reset();
    await restored.send('And then?');
    const [request] = (await api.requests()).filter(r => r.path === '/v1/messages');
    expect(request.body.messages.map((m: any) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(request.body.messages[1].content[0].text).toBe(c.turns[1].text);
  });

  it('keeps a cut answer cut after reloading, and Retry still asks again', async () => {
    await api.queue('cut_mid_stream');
    const c = conversation();
    await c.send('Explain the regression');
    const cut = c.turns[1];
    expect(cut.status).toBe('cut');

    const restored = reload(c);
    expect(restored.turns[1].status).toBe('cut');
    expect(restored.turns[1].text).toBe(cut.text);
    expect(restored.turns[1].error).toEqual(cut.error);
    await restored.retry();
    expect(restored.turns).toHaveLength(2);
    expect(restored.turns[1].status).toBe('done');
    // The replaced answer is recorded so another tab's copy cannot bring it back.
    expect(toStored(restored, 'analysis/run.ipynb').removed_turns).toEqual([cut.id]);
  });

  it('leaves a streaming answer out, and an answer saved mid-stream comes back cut', () => {
    const c = conversation();
    c.restore({
      id: 'c1',
      created: '2026-01-01T00:00:00.000Z',
      turns: [
        { id: 'q', role: 'user', text: 'Q', thinking: '', status: 'done' },
        { id: 'a', role: 'assistant', text: 'Part', thinking: '', status: 'streaming' }
      ]
    });
    expect(toStored(c, 'x.ipynb').turns.map(t => t.id)).toEqual(['q']);
    const saved = { ...toStored(c, 'x.ipynb'), turns: c.turns.map(t => ({ ...t })) };
    expect(fromStored(saved).turns[1].status).toBe('cut');
  });

  it('titles a conversation with its first question', async () => {
    const c = conversation();
    await c.send('  What is in sales.csv?\nand more  ');
    expect(toStored(c, 'x.ipynb').title).toBe('What is in sales.csv?');
  });

  it('starts a new id on New chat', async () => {
    const c = conversation();
    await c.send('Hi');
    const first = c.id;
    c.clear();
    expect(c.id).not.toBe(first);
    expect(c.id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});

describe('ConversationSaver', () => {
  function saverFor(store: MemoryStore, path = 'nb.ipynb') {
    const c = conversation();
    let current = path;
    const saver = new ConversationSaver({ conversation: c, store, path: () => current, delayMs: 10, trans });
    c.waitFor(saver.ready);
    return { c, saver, rename: (p: string) => (current = p) };
  }

  it('saves once an answer ends, never while it streams', async () => {
    await api.queue('slow_long', { event_delay_ms: 5 });
    const store = new MemoryStore();
    const { c, saver } = saverFor(store);
    await c.send('Long one');
    await wait(50);
    await saver.flush();
    expect(store.saves.length).toBe(1);
    expect(store.saves[0].turns.map(t => t.status)).toEqual(['done', 'done']);
    expect(saver.state).toBe('saved');
  });

  it('saves a stopped answer with what arrived', async () => {
    await api.queue('slow_long');
    const store = new MemoryStore();
    const { c, saver } = saverFor(store);
    const done = c.send('Long one');
    await new Promise<void>(resolve =>
      c.changed.connect((_, t) => t?.role === 'assistant' && t.text.length > 10 && resolve())
    );
    c.stop();
    await done;
    await wait(30);
    await saver.flush();
    const last = store.saves[store.saves.length - 1];
    expect(last.turns[1].status).toBe('stopped');
    expect(last.turns[1].text.length).toBeGreaterThan(10);
  });

  it('loads the latest saved conversation when the notebook opens', async () => {
    const store = new MemoryStore();
    const first = saverFor(store);
    await first.saver.ready;
    await first.c.send('Hi');
    await wait(30);
    await first.saver.flush();
    const second = saverFor(store);
    await second.saver.ready;
    expect(second.c.id).toBe(first.c.id);
    expect(second.c.turns.map(t => t.text)).toEqual(first.c.turns.map(t => t.text));
  });

  it('joins two tabs opening a notebook without saved chats into one conversation', async () => {
    const store = new MemoryStore();
    const a = saverFor(store);
    const b = saverFor(store);
    await Promise.all([a.saver.ready, b.saver.ready]);
    expect(a.c.id).toBe(FIRST_CONVERSATION_ID);
    expect(b.c.id).toBe(FIRST_CONVERSATION_ID);
  });

  it('says when a save fails, keeps the chat and saves it with the next answer', async () => {
    const store = new MemoryStore();
    const { c, saver } = saverFor(store);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    store.failing = true;
    await c.send('Hi');
    await wait(30);
    await saver.flush();
    expect(saver.state).toBe('error');
    expect(saver.error).toMatch(/could not be saved: The Jupyter server could not be reached/);
    expect(c.turns).toHaveLength(2);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
    store.failing = false;
    await c.send('Again');
    await wait(30);
    await saver.flush();
    expect(saver.state).toBe('saved');
    expect(store.saves[0].turns).toHaveLength(4);
  });

  it('saves under the new path after a rename', async () => {
    const store = new MemoryStore();
    const { c, saver, rename } = saverFor(store, 'old.ipynb');
    await saver.ready;
    rename('new/place.ipynb');
    await c.send('Hi');
    await wait(30);
    await saver.flush();
    expect(await store.list('new/place.ipynb')).toHaveLength(1);
    expect(await store.list('old.ipynb')).toHaveLength(0);
  });

  it('opens a saved conversation and deleting the current one starts a new chat', async () => {
    const store = new MemoryStore();
    const { c, saver } = saverFor(store);
    await saver.ready;
    await c.send('First chat');
    await wait(30);
    await saver.flush();
    const firstId = c.id;
    c.clear();
    await c.send('Second chat');
    await wait(30);
    await saver.flush();
    const listed = await saver.list();
    expect(listed.map(s => s.title).sort()).toEqual(['First chat', 'Second chat']);

    await saver.open(firstId);
    expect(c.id).toBe(firstId);
    expect(c.turns[0].text).toBe('First chat');
    await saver.remove(firstId);
    expect(c.id).not.toBe(firstId);
    expect(c.turns).toHaveLength(0);
    expect((await saver.list()).map(s => s.title)).toEqual(['Second chat']);
  });
});

describe('ConversationRegistry with saving', () => {
  it('saves notebook conversations under their current path, and not the general one', async () => {
    const store = new MemoryStore();
    const paths = new Map<object, string>();
    const registry = new ConversationRegistry({
      createClient: s => createDirectClient(api.url, MOCK_KEY, s),
      settings,
      trans,
      store,
      pathOf: key => paths.get(key) ?? null,
      saveDelayMs: 10
    });
    const notebook = {};
    paths.set(notebook, 'a.ipynb');
    expect(registry.history!.available).toBe(false);
    const c = registry.activate(notebook, 'a.ipynb');
    expect(registry.history!.available).toBe(true);
    await registry.saverFor(notebook)!.ready;
    await c.send('Hi');
    await wait(30);
    expect(registry.history!.saveState).toBe('saved');
    expect((await registry.history!.list()).map(s => s.turns)).toEqual([2]);

    const general = registry.activate(null);
    await general.send('Hello there');
    await wait(30);
    expect(store.saves).toHaveLength(1);
  });
});
