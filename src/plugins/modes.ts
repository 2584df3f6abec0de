/*
 * Wiring: the permission modes (and their picker and banner in the panel), fed by the settings (the default for a new conversation) and
 * the administrator's policy (`GET claude/policy`, the modes turned off).
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { PermissionModes } from '../agent/modes';
import { IPermissionModes } from '../agent/tokens';
import { requestAPI } from '../api';
import { LazyConversations } from '../claude/lazy';
import { IConversationRegistry } from '../claude/tokens';
import { LazyWidget } from '../panel/lazy';
import { IClaudePanelViews } from '../panel/tokens';
import { TRANSLATION_DOMAIN } from '../translation';

/**
 * The id of the plugin that owns the settings (`schema/plugin.json`).
 */
const SETTINGS_PLUGIN_ID = 'jupyterlab-claude:plugin';

/**
 * Provides the permission mode of each conversation.
 */
export const modesPlugin: JupyterFrontEndPlugin<IPermissionModes> = {
  id: 'jupyterlab-claude:permission-modes',
  description: 'The permission mode of each conversation with Claude, its default and what the administrator allows.',
  autoStart: true,
  provides: IPermissionModes,
  optional: [ISettingRegistry],
  activate: (app: JupyterFrontEnd, settingRegistry: ISettingRegistry | null): IPermissionModes => {
    // Until the policy is read, only 'ask' is offered: a mode the admin turned off is never on.
    const modes = new PermissionModes({ defaultMode: 'ask', disabled: ['acceptEdits', 'plan', 'runInNotebook'] });
    let defaultMode: unknown = 'ask';
    const policy = requestAPI<{ disabled_modes?: unknown }>(app.serviceManager.serverSettings, 'policy')
      .then(view => (Array.isArray(view?.disabled_modes) ? view.disabled_modes.map(String) : []))
      .catch(reason => {
        // An older server without the policy route: nothing is turned off there.
        console.warn('jupyterlab-claude: could not read the policy; all modes offered', reason);
        return [] as string[];
      });
    void policy.then(disabled => modes.configure({ defaultMode, disabled }));
    if (settingRegistry) {
      void settingRegistry
        .load(SETTINGS_PLUGIN_ID)
        .then(settings => {
          const apply = () => {
            defaultMode = settings.composite.defaultPermissionMode;
            void policy.then(disabled => modes.configure({ defaultMode, disabled }));
          };
          apply();
          settings.changed.connect(apply);
        })
        .catch(reason => console.warn('jupyterlab-claude: could not load settings for the permission modes', reason));
    }
    return modes;
  }
};

/**
 * The mode picker and banner above the message box.
 */
export const modeBarPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-claude:mode-bar',
  description: 'The permission mode picker and banner of the Claude panel.',
  autoStart: true,
  requires: [IPermissionModes, IConversationRegistry, IClaudePanelViews],
  optional: [ITranslator],
  activate: (
    _: JupyterFrontEnd,
    modes: IPermissionModes,
    registry: IConversationRegistry,
    views: IClaudePanelViews,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    // Loaded with the chat, when the panel is first shown.
    views.addArea(
      new LazyWidget(async () => {
        const [{ ModeBar }] = await Promise.all([
          import(/* webpackChunkName: "claude-panel" */ '../panel/modeBar'),
          LazyConversations.whenLoaded(registry)
        ]);
        return new ModeBar({ modes, registry, trans });
      })
    );
  }
};
