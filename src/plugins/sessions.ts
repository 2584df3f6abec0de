/*
 * Wiring: the sessions service, one session per open notebook, fed by the notebook tracker,
 * JupyterLab's cell executor and the settings.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookCellExecutor, INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IToolApprovals, IToolRegistry } from '../agent/tokens';
import { DEFAULT_SETTINGS, readSettings } from '../claude/settings';
import type { IClaudeSettings } from '../claude/tokens';
import { LazySessions } from '../session/lazy';
import { INotebookSessions } from '../session/tokens';
import { SETTINGS_PLUGIN_ID } from './conversations';

/**
 * Provides what Claude keeps for each open notebook.
 */
export const sessionsPlugin: JupyterFrontEndPlugin<INotebookSessions> = {
  id: 'jupyterlab-claude:sessions',
  description: 'What Claude keeps for each open notebook: context choices, proposals, hypotheses, tools.',
  autoStart: true,
  provides: INotebookSessions,
  requires: [INotebookTracker, IToolRegistry],
  optional: [INotebookCellExecutor, ISettingRegistry, IToolApprovals],
  activate: async (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    tools: IToolRegistry,
    executor: INotebookCellExecutor | null,
    settingRegistry: ISettingRegistry | null,
    approvals: IToolApprovals | null
  ): Promise<INotebookSessions> => {
    let settings: IClaudeSettings = DEFAULT_SETTINGS;
    // The sessions' code loads with the panel or the first question (LazySessions.whenLoaded).
    const sessions = new LazySessions({
      tracker,
      tools,
      settings: () => settings,
      serverSettings: app.serviceManager.serverSettings,
      toImage: async (id, title, candidate) =>
        (await import(/* webpackChunkName: "context" */ '../panel/images')).imageForClaude(id, title, candidate),
      executor,
      approvals,
      saveText: async (path, text) => {
        await app.serviceManager.contents.save(path, { type: 'file', format: 'text', content: text });
        return path;
      }
    });
    if (settingRegistry) {
      try {
        // The conversations plugin warns when they cannot be loaded; the defaults apply here too.
        const loaded = await settingRegistry.load(SETTINGS_PLUGIN_ID);
        const apply = () => (settings = readSettings(loaded.composite));
        apply();
        loaded.changed.connect(apply);
      } catch {
        settings = DEFAULT_SETTINGS;
      }
    }
    return sessions;
  }
};
