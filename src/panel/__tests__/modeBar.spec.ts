/*
 * The mode picker on the real conversation registry and the real permission modes: while the
 * notebook's saved chats are still being listed the conversation's id may change (a notebook
 * without saved chats names its first one), so a mode picked then would silently not apply.
 * The picker waits for the conversation, and the mode picked after applies to it.
 */
import { nullTranslator } from '@jupyterlab/translation';
import { PermissionModes } from '../../agent/modes';
import { createDirectClient } from '../../claude/direct';
import { ConversationRegistry } from '../../claude/registry';
import { DEFAULT_SETTINGS } from '../../claude/settings';
import type { IConversationStore, IStoredConversation } from '../../claude/store';
import type { IConversationSummary } from '../../claude/tokens';
import { ModeBar } from '../modeBar';

const trans = nullTranslator.load('jupyterlab-claude');

/** A store with no saved chats whose listing answers only when `release` is called. */
class SlowStore implements IConversationStore {
  release: () => void = () => undefined;
  private _listed = new Promise<void>(resolve => (this.release = resolve));

  async list(): Promise<IConversationSummary[]> {
    await this._listed;
    return [];
  }

  async get(): Promise<IStoredConversation> {
    throw new Error('nothing is saved');
  }

  async save(_: string, c: IStoredConversation): Promise<IStoredConversation> {
    return c;
  }

  async remove(): Promise<void> {
    // nothing is saved
  }
}

function setUp() {
  const store = new SlowStore();
  const modes = new PermissionModes();
  const registry = new ConversationRegistry({
    createClient: s => createDirectClient('http://127.0.0.1:9', 'unused', s),
    trans,
    settings: DEFAULT_SETTINGS,
    store,
    pathOf: () => 'melting.ipynb',
    saveDelayMs: 10,
    modeOf: id => modes.modeOf(id),
    setModeOf: (id, mode) => modes.setMode(id, mode)
  });
  registry.activate({}, 'melting.ipynb');
  const bar = new ModeBar({ modes, registry, trans });
  const picker = bar.node.querySelector('select')!;
  const banner = bar.node.querySelector<HTMLElement>('.jp-Claude-modeBanner')!;
  return { store, modes, registry, bar, picker, banner };
}

describe('ModeBar', () => {
  it('waits for the notebook’s conversation to load before a mode can be picked', async () => {
    const { store, modes, registry, bar, picker, banner } = setUp();
    expect(registry.current.isLoading).toBe(true);
    expect(picker.disabled).toBe(true);
    expect(picker.title).toBe('The conversation is loading');

    store.release();
    await registry.current.loaded;
    expect(registry.current.isLoading).toBe(false);
    expect(picker.disabled).toBe(false);
    expect(picker.title).toBe('');

    picker.value = 'acceptEdits';
    picker.dispatchEvent(new Event('change'));
    // The mode is the conversation's, under the id it keeps.
    expect(modes.modeOf(registry.current.id)).toBe('acceptEdits');
    expect(banner.hidden).toBe(false);
    expect(banner.textContent).toContain('Accept edits: insertions and replacements apply at once');
    bar.dispose();
  });
});
