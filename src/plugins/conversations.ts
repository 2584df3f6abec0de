/*
 * Wiring: the conversation registry, fed by the settings registry, the notebook tracker and
 * the notebooks' sessions.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { PathExt } from '@jupyterlab/coreutils';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { type IClaudeTools, IPermissionModes } from '../agent/tokens';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { createClaudeClient } from '../claude/client';
import { LazyConversations } from '../claude/lazy';
import { DEFAULT_SETTINGS, readSettings } from '../claude/settings';
import { ServerConversationStore } from '../claude/store';
import { IConversationRegistry, ISlashCommands } from '../claude/tokens';
import { LazySessions } from '../session/lazy';
import { INotebookSessions } from '../session/tokens';
import { ISkillCatalog } from '../skills/tokens';
import { TRANSLATION_DOMAIN } from '../translation';

/**
 * The id of the plugin that owns the settings (`schema/plugin.json`).
 */
export const SETTINGS_PLUGIN_ID = 'jupyterlab-claude:plugin';

/**
 * Provides one conversation per notebook, following the notebook in focus.
 */
export const conversationsPlugin: JupyterFrontEndPlugin<IConversationRegistry> = {
  id: SETTINGS_PLUGIN_ID,
  description: 'Conversations with Claude, one per notebook, and the settings they use.',
  autoStart: true,
  provides: IConversationRegistry,
  optional: [
    INotebookTracker,
    INotebookSessions,
    ISettingRegistry,
    ITranslator,
    ISlashCommands,
    IPermissionModes,
    ISkillCatalog
  ],
  activate: async (
    app: JupyterFrontEnd,
    tracker: INotebookTracker | null,
    sessions: INotebookSessions | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    commands: ISlashCommands | null,
    modes: IPermissionModes | null,
    skills: ISkillCatalog | null
  ): Promise<IConversationRegistry> => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const serverSettings = app.serviceManager.serverSettings;
    // The conversations' code loads with the panel or the first question (LazyConversations.whenLoaded).
    const registry = new LazyConversations({
      createClient: settings => createClaudeClient(serverSettings, settings),
      settings: DEFAULT_SETTINGS,
      trans,
      // The notebook's session is looked up when a question goes: its code loads then, if the
      // panel did not load it already.
      contextSource: sessions
        ? key => async () => (await LazySessions.whenLoaded(sessions)).sessionFor(key as NotebookPanel).gather()
        : undefined,
      toolsFor: sessions ? key => Private.toolsOf(sessions, key as NotebookPanel) : undefined,
      // Read at each save, so a renamed notebook saves under its new path.
      store: new ServerConversationStore(serverSettings),
      pathOf: key => (key as NotebookPanel).context.localPath,
      commands: commands ?? undefined,
      modeOf: modes ? id => modes.modeOf(id) : undefined,
      setModeOf: modes ? (id, mode) => modes.setMode(id, mode) : undefined,
      // The enabled skills' names and descriptions, in the cached system prompt.
      system: skills ? () => [skills.listing()] : undefined
    });

    if (settingRegistry) {
      try {
        const settings = await settingRegistry.load(SETTINGS_PLUGIN_ID);
        const apply = () => registry.updateSettings(readSettings(settings.composite));
        apply();
        settings.changed.connect(apply);
      } catch (reason) {
        console.warn('jupyterlab-claude: could not load settings, using defaults', reason);
      }
    }

    if (tracker) {
      const label = (panel: NotebookPanel) => PathExt.basename(panel.context.path);
      const follow = (panel: NotebookPanel | null) => {
        if (!panel) {
          registry.activate(null);
          return;
        }
        registry.activate(panel, label(panel));
      };
      tracker.widgetAdded.connect((_, panel) => {
        panel.context.pathChanged.connect(() => {
          registry.rename(panel, label(panel));
          if (tracker.currentWidget === panel) {
            follow(panel);
          }
        });
        panel.disposed.connect(() => registry.forget(panel));
      });
      tracker.currentChanged.connect((_, panel) => follow(panel));
      follow(tracker.currentWidget);
    }
    return registry;
  }
};

namespace Private {
  /**
   * A notebook's tools, asked of its session at each call (a question gathers its context, so
   * loads the sessions, before it offers tools).
   */
  export function toolsOf(sessions: INotebookSessions, panel: NotebookPanel): IClaudeTools {
    const tools = () => sessions.sessionFor(panel).tools;
    return {
      definitions: options => tools().definitions(options),
      describe: (name, input) => tools().describe(name, input),
      run: (name, input, call) => tools().run(name, input, call),
      // Before the sessions load, no tool call can be waiting.
      cancelPending: () => LazySessions.loaded(sessions)?.sessionFor(panel).tools.cancelPending?.()
    };
  }
}
