/*
 * Wiring: the Claude side panel, its commands and palette entries.
 */
import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { createClaudeClient } from '../claude/client';
import { listModels } from '../claude/models';
import { CommandIDs } from '../commands';
import { ClaudePanel } from '../panel/widget';
import { IConversationRegistry } from '../claude/tokens';
import { INotebookSessions } from '../session/tokens';
import { TRANSLATION_DOMAIN } from '../translation';
import { SETTINGS_PLUGIN_ID } from './conversations';

/**
 * The Claude panel in the right sidebar.
 */
export const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-claude:panel',
  description: 'The Claude side panel.',
  autoStart: true,
  requires: [IConversationRegistry, IRenderMimeRegistry],
  optional: [ICommandPalette, ILayoutRestorer, ISettingRegistry, ITranslator, INotebookSessions],
  activate: (
    app: JupyterFrontEnd,
    registry: IConversationRegistry,
    rendermime: IRenderMimeRegistry,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    sessions: INotebookSessions | null
  ): void => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const serverSettings = app.serviceManager.serverSettings;
    const panel = new ClaudePanel({
      registry,
      sessions,
      rendermime,
      trans,
      listModels: configured =>
        listModels(createClaudeClient(serverSettings, { maxRetries: 0, timeoutSeconds: 15 }), configured),
      proposeCode: (source, mode) => void app.commands.execute(CommandIDs.proposeCode, { source, mode }),
      setModel: async model => {
        if (settingRegistry) {
          await settingRegistry.set(SETTINGS_PLUGIN_ID, 'model', model);
        }
      }
    });
    app.shell.add(panel, 'right', { rank: 900 });
    restorer?.add(panel, 'jupyterlab-claude');

    const category = trans.__('Claude');
    app.commands.addCommand(CommandIDs.openPanel, {
      label: trans.__('Open Claude Panel'),
      caption: trans.__('Open the Claude side panel'),
      execute: () => {
        app.shell.activateById(panel.id);
        panel.focusInput();
      }
    });
    app.commands.addCommand(CommandIDs.draft, {
      label: trans.__('Ask Claude'),
      describedBy: {
        args: {
          type: 'object',
          properties: { text: { type: 'string' }, send: { type: 'boolean' } }
        }
      },
      execute: args => {
        panel.setDraft(String(args.text ?? ''));
        if (args.send === true) {
          panel.sendDraft();
        } else {
          panel.focusInput();
        }
      }
    });
    app.commands.addCommand(CommandIDs.newChat, {
      label: trans.__('New Claude Chat'),
      caption: trans.__('Start a new chat for the notebook in focus'),
      execute: () => {
        registry.current.clear();
        app.shell.activateById(panel.id);
        panel.focusInput();
      }
    });
    app.commands.addCommand(CommandIDs.showHypotheses, {
      label: trans.__('Show Hypothesis Ledger'),
      caption: trans.__('The hypotheses of the notebook in focus, their evidence and corrected verdicts'),
      execute: () => {
        app.shell.activateById(panel.id);
        panel.showLedger(true);
      }
    });
    app.commands.addCommand(CommandIDs.stop, {
      label: trans.__('Stop Claude'),
      caption: trans.__('Stop the answer that is streaming, keeping what arrived'),
      isEnabled: () => registry.current.isBusy,
      execute: () => registry.current.stop()
    });
    if (palette) {
      for (const command of [CommandIDs.openPanel, CommandIDs.newChat, CommandIDs.stop, CommandIDs.showHypotheses]) {
        palette.addItem({ command, category });
      }
    }
  }
};
