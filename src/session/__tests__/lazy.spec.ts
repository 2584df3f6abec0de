/*
 * The sessions service start-up provides: before its code loads no session exists, so it answers
 * as for a notebook where nothing was proposed yet; once loaded it is the sessions service.
 */
import { NotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';
import { ToolRegistry } from '../../agent/registry';
import { DEFAULT_SETTINGS } from '../../claude/settings';
import { LazySessions } from '../lazy';
import type { INotebookSession } from '../tokens';

function lazySessions(): LazySessions {
  return new LazySessions({
    tracker: new NotebookTracker({ namespace: 'claude-lazy-test' }),
    tools: new ToolRegistry(),
    settings: () => DEFAULT_SETTINGS,
    serverSettings: ServerConnection.makeSettings()
  });
}

/** What a session reads of its notebook's panel when it is made. */
function panel(): NotebookPanel {
  const fake = { isDisposed: false, content: { model: null }, context: { path: 'a.ipynb', localPath: 'a.ipynb' } };
  return { ...fake, disposed: new Signal(fake) } as unknown as NotebookPanel;
}

describe('LazySessions', () => {
  it('answers as for a notebook where nothing was proposed before its code loads', async () => {
    const sessions = lazySessions();
    expect(sessions.loaded).toBeNull();
    expect(sessions.current).toBeNull();
    expect(sessions.proposals()).toBeNull();
    expect(sessions.hypotheses()).toBeNull();
    expect(sessions.selection).toBeNull();
    expect(sessions.selectedCellIds()).toEqual([]);
    expect(sessions.cellLabel('abc')).toBe('cell abc');
    expect(LazySessions.loaded(sessions)).toBeNull();
  });

  it('refuses a session before loading, starts loading, and makes sessions once loaded', async () => {
    const sessions = lazySessions();
    const notebook = panel();
    expect(() => sessions.sessionFor(notebook)).toThrow(/loading/);
    expect(await LazySessions.whenLoaded(sessions)).toBe(sessions);
    expect(sessions.loaded).not.toBeNull();
    const session = sessions.sessionFor(notebook);
    expect(sessions.sessionFor(notebook)).toBe(session);
    expect(session.proposals.proposals).toEqual([]);
    expect(session.hypotheses.proposals).toEqual([]);
  });

  it('announces the notebook in focus when it loads', async () => {
    const sessions = lazySessions();
    const seen: Array<INotebookSession | null | 'changed'> = [];
    sessions.currentChanged.connect((_, session) => seen.push(session));
    sessions.changed.connect(() => seen.push('changed'));
    await sessions.load();
    expect(seen).toEqual([null, 'changed']);
  });
});
