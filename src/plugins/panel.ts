/*
 * Wiring: the Claude side panel, and every command (see src/commands.ts).
 */
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { createClaudeClient } from '../claude/client';
import { LazyConversations } from '../claude/lazy';
import { listModels } from '../claude/models';
import { addCommands, CommandIDs } from '../commands';
import { IClaudePanelViews } from '../panel/tokens';
import { ClaudeSidebar } from '../panel/shell';
import type { ClaudePanel } from '../panel/widget';
import { IConversationRegistry, ISlashCommands } from '../claude/tokens';
import { LazySessions } from '../session/lazy';
import { INotebookSessions } from '../session/tokens';
import { TRANSLATION_DOMAIN } from '../translation';
import { IClaudePolicy } from '../usage/tokens';
import { SETTINGS_PLUGIN_ID } from './conversations';

/**
 * The Claude panel in the right sidebar.
 */
export const panelPlugin: JupyterFrontEndPlugin<IClaudePanelViews> = {
  id: 'jupyterlab-claude:panel',
  description: 'The Claude side panel.',
  autoStart: true,
  provides: IClaudePanelViews,
  requires: [IConversationRegistry, IRenderMimeRegistry],
  optional: [
    ICommandPalette,
    ILayoutRestorer,
    ISettingRegistry,
    ITranslator,
    INotebookSessions,
    INotebookTracker,
    ISlashCommands,
    IClaudePolicy
  ],
  activate: (
    app: JupyterFrontEnd,
    registry: IConversationRegistry,
    rendermime: IRenderMimeRegistry,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    sessions: INotebookSessions | null,
    tracker: INotebookTracker | null,
    commands: ISlashCommands | null,
    policy: IClaudePolicy | null
  ): IClaudePanelViews => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const serverSettings = app.serviceManager.serverSettings;
    // The chat, everything it renders and its styles load when the panel is first shown.
    const create = async () => {
      const [{ ClaudePanel }] = await Promise.all([
        import(/* webpackChunkName: "claude-panel" */ '../panel/widget'),
        import(/* webpackChunkName: "claude-panel" */ '../../style/panel.css'),
        LazySessions.whenLoaded(sessions),
        LazyConversations.whenLoaded(registry)
      ]);
      return new ClaudePanel(options);
    };
    const options: ClaudePanel.IOptions = {
      registry,
      sessions,
      rendermime,
      trans,
      commands,
      policy,
      listModels: async configured =>
        listModels(await createClaudeClient(serverSettings, { maxRetries: 0, timeoutSeconds: 15 }), configured),
      proposeCode: (source, mode) => void app.commands.execute(CommandIDs.proposeCode, { source, mode }),
      setModel: async model => {
        // In force for the very next question, before the settings round trip completes (the
        // picker may switch to the administrator's first allowed model just before a send).
        registry.updateSettings({ ...registry.settings, model });
        if (settingRegistry) {
          await settingRegistry.set(SETTINGS_PLUGIN_ID, 'model', model);
        }
      }
    };
    const panel = new ClaudeSidebar({ create, trans });
    app.shell.add(panel, 'right', { rank: 900 });
    restorer?.add(panel, 'jupyterlab-claude');

    addCommands(app, { panel, registry, tracker, sessions, palette, trans });
    return panel.views;
  }
};
