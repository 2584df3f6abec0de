/**
 * @jest-environment node
 */
// The conversation registry start-up provides: it holds the settings and the notebook in focus,
// and its first question (or New Chat) loads the real registry, answered by the local Messages API.
import { nullTranslator } from '@jupyterlab/translation';
import { createDirectClient } from '../direct';
import { LazyConversations } from '../lazy';
import { DEFAULT_SETTINGS } from '../settings';
import type { IConversationStore, IStoredConversation } from '../store';
import type { IConversation, IConversationSummary } from '../tokens';
import { MOCK_KEY, MockApi } from './mockApi';

const trans = nullTranslator.load('jupyterlab_claude');
const settings = { ...DEFAULT_SETTINGS, maxRetries: 0 };
const api = MockApi.forTestFile();

class MemoryStore implements IConversationStore {
  files = new Map<string, IStoredConversation>();

  async list(notebook: string): Promise<IConversationSummary[]> {
    return [...this.files.values()]
      .filter(f => f.notebook === notebook)
      .map(f => ({ id: f.id, title: f.title, created: f.created, updated: f.updated ?? '', turns: f.turns.length }));
  }

  async get(notebook: string, id: string): Promise<IStoredConversation> {
    return JSON.parse(JSON.stringify(this.files.get(`${notebook}/${id}`)));
  }

  async save(notebook: string, c: IStoredConversation): Promise<IStoredConversation> {
    const saved = { ...c, updated: new Date().toISOString() };
    this.files.set(`${notebook}/${c.id}`, saved);
    return saved;
  }

  async remove(notebook: string, id: string): Promise<void> {
    this.files.delete(`${notebook}/${id}`);
  }
}

const wait = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function conversations(store?: IConversationStore, path = 'a.ipynb'): LazyConversations {
  return new LazyConversations({
    createClient: s => createDirectClient(api.url, MOCK_KEY, s),
    settings,
    trans,
    store,
    pathOf: () => path,
    saveDelayMs: 10
  });
}

/** A notebook with one saved chat of two turns, saved by a registry of its own. */
async function savedChat(store: MemoryStore): Promise<string> {
  const earlier = conversations(store);
  earlier.activate({}, 'a.ipynb');
  const registry = await earlier.load();
  await earlier.restored();
  await registry.current.send('Hi');
  await wait(40);
  return registry.current.id;
}

describe('LazyConversations', () => {
  it('holds the settings and the notebook in focus, and hands them to the registry it loads', async () => {
    const lazy = conversations();
    const seen: string[] = [];
    lazy.settingsChanged.connect((_, s) => seen.push(s.model));
    lazy.updateSettings({ ...settings, model: 'claude-opus-4-5' });
    lazy.activate({}, 'a.ipynb');
    expect(lazy.settings.model).toBe('claude-opus-4-5');
    expect(seen).toEqual(['claude-opus-4-5']);
    expect(lazy.current.label).toBe('a.ipynb');
    expect(lazy.current.turns).toEqual([]);
    expect(lazy.current.isBusy).toBe(false);

    const registry = await lazy.load();
    expect(registry.settings.model).toBe('claude-opus-4-5');
    expect(lazy.current).toBe(registry.current);
    expect(lazy.current.label).toBe('a.ipynb');
  });

  it('answers a question asked before it loaded in the real conversation, and says the conversation changed', async () => {
    const lazy = conversations();
    lazy.activate({}, 'a.ipynb');
    const standIn = lazy.current;
    const changed: IConversation[] = [];
    lazy.currentChanged.connect((_, c) => changed.push(c));
    await standIn.send('Hi');
    expect(lazy.current).not.toBe(standIn);
    expect(changed).toEqual([lazy.current]);
    expect(lazy.current.turns.map(t => t.role)).toEqual(['user', 'assistant']);
    expect(lazy.current.turns[1].status).toBe('done');
  });

  it('restores the saved chat of the notebook in focus when it loads', async () => {
    const store = new MemoryStore();
    const id = await savedChat(store);
    const lazy = conversations(store);
    lazy.activate({}, 'a.ipynb');
    const restored = await lazy.restored();
    expect(restored.id).toBe(id);
    expect(restored.turns).toHaveLength(2);
  });

  it('starts a new chat asked for before it loaded, after the saved one is restored', async () => {
    const store = new MemoryStore();
    const id = await savedChat(store);
    const lazy = conversations(store);
    lazy.activate({}, 'a.ipynb');
    lazy.current.clear();
    await lazy.restored();
    await wait(10);
    expect(lazy.current.turns).toHaveLength(0);
    expect(lazy.current.id).not.toBe(id);
  });

  it('follows renames and closed notebooks before it loads', async () => {
    const lazy = conversations();
    const notebook = {};
    lazy.activate(notebook, 'a.ipynb');
    lazy.rename(notebook, 'b.ipynb');
    expect(lazy.current.label).toBe('b.ipynb');
    lazy.forget(notebook);
    expect(lazy.current.label).toBe('');
    await lazy.load();
    expect(lazy.current.label).toBe('');
  });
});
