/*
 * Wiring: the skill catalog (the server's skill folders, the switches in the settings), its
 * two read tools, a /name command per skill, and the Skills view of the panel.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import { IToolRegistry } from '../agent/tokens';
import { requestAPI } from '../api';
import { ISlashCommands } from '../claude/tokens';
import { LazyWidget } from '../panel/lazy';
import { IClaudePanelViews } from '../panel/tokens';
import { SkillCatalog } from '../skills/catalog';
import { ISkillCatalog } from '../skills/tokens';
import { skillBodyText, skillTools } from '../skills/tools';
import { TRANSLATION_DOMAIN } from '../translation';
import { SETTINGS_PLUGIN_ID } from './conversations';

/**
 * Provides the skill catalog.
 */
export const skillsPlugin: JupyterFrontEndPlugin<ISkillCatalog> = {
  id: 'jupyterlab-claude:skills',
  description: 'Skills (Agent Skills folders) Claude loads when a question needs one.',
  autoStart: true,
  provides: ISkillCatalog,
  requires: [IToolRegistry],
  optional: [ISlashCommands, ISettingRegistry, ITranslator],
  activate: async (
    app: JupyterFrontEnd,
    tools: IToolRegistry,
    slash: ISlashCommands | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ): Promise<ISkillCatalog> => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const serverSettings = app.serviceManager.serverSettings;
    let settings: ISettingRegistry.ISettings | null = null;
    const catalog = new SkillCatalog({
      fetch: (route, query) => requestAPI(serverSettings, route, {}, query),
      saveDisabled: async names => {
        await settings?.set('disabledSkills', names);
      }
    });
    if (settingRegistry) {
      try {
        settings = await settingRegistry.load(SETTINGS_PLUGIN_ID);
        const apply = () => catalog.setDisabled((settings!.composite.disabledSkills as string[] | undefined) ?? []);
        apply();
        settings.changed.connect(apply);
      } catch (reason) {
        console.warn('jupyterlab-claude: could not load the skill switches', reason);
      }
    }
    for (const tool of skillTools(catalog)) {
      tools.register(tool);
    }
    if (slash) {
      // `/name`: Claude uses that skill for this question (its body goes with the question).
      const registered = new Map<string, IDisposable>();
      catalog.changed.connect(() => {
        const wanted = new Map(catalog.enabled().map(e => [e.name, e]));
        for (const [name, registration] of registered) {
          if (!wanted.has(name)) {
            registration.dispose();
            registered.delete(name);
          }
        }
        for (const [name, entry] of wanted) {
          if (registered.has(name) || slash.has(name)) {
            continue;
          }
          registered.set(
            name,
            slash.register({
              name,
              description: entry.description,
              source: trans.__('skill'),
              resolve: async () => {
                const body = await catalog.body(name);
                return { skill: name, userText: skillBodyText(name, body.body, body.files, entry.location) };
              }
            })
          );
        }
      });
    }
    const refresh = async () => {
      try {
        await catalog.refresh();
      } catch (reason) {
        console.warn('jupyterlab-claude: could not list the skills', reason);
      }
    };
    await refresh();
    // A skill copied into a folder while JupyterLab runs is listed when the scientist comes back
    // to the page (at most every 10 s), as well as when the Skills view opens.
    let last = Date.now();
    window.addEventListener('focus', () => {
      if (Date.now() - last > 10000) {
        last = Date.now();
        void refresh();
      }
    });
    return catalog;
  }
};

/**
 * The Skills view in the Claude panel.
 */
export const skillsViewPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-claude:skills-view',
  description: 'The Skills view of the Claude panel.',
  autoStart: true,
  requires: [ISkillCatalog, IClaudePanelViews, IRenderMimeRegistry],
  optional: [ITranslator],
  activate: (
    _app: JupyterFrontEnd,
    catalog: ISkillCatalog,
    views: IClaudePanelViews,
    rendermime: IRenderMimeRegistry,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    // Loaded with the chat, when the panel is first shown.
    const view = new LazyWidget(async () => {
      const { SkillsView } = await import(/* webpackChunkName: "claude-panel" */ '../panel/skillsView');
      const content = new SkillsView({ catalog, rendermime, trans });
      if (view.isVisible) {
        // Shown before its code arrived: list again, as showing the view does.
        void content.refresh();
      }
      return content;
    });
    view.id = 'jp-claude-skills-view';
    views.add({
      id: 'skills',
      label: trans.__('Skills'),
      caption: trans.__('Skills Claude may load, where each comes from, and which are offered'),
      rank: 60,
      widget: view
    });
  }
};
