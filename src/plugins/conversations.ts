/*
 * Wiring: the conversation registry, fed by the settings registry and the notebook tracker.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { CodeCell, type ICodeCellModel, type MarkdownCell } from '@jupyterlab/cells';
import { PathExt } from '@jupyterlab/coreutils';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { IRunOutcome } from '../agent/proposals';
import { NotebookContextService } from '../agent/service';
import { createClaudeClient } from '../claude/client';
import { imageForClaude } from '../panel/images';
import { ConversationRegistry } from '../claude/registry';
import { DEFAULT_SETTINGS, readSettings } from '../claude/settings';
import { ServerConversationStore } from '../claude/store';
import { IConversationRegistry } from '../tokens';
import { TRANSLATION_DOMAIN } from '../translation';

/**
 * Run one cell of a notebook in its kernel, as JupyterLab's Run does; called only after the
 * scientist approved it.
 */
async function runCellInKernel(panel: NotebookPanel, cellId: string): Promise<IRunOutcome> {
  const cell = panel.content.widgets.find(widget => widget.model.id === cellId);
  if (!cell) {
    return { ok: false, outputs: [], executionCount: null, message: 'The cell is no longer in the notebook.' };
  }
  if (cell.model.type === 'markdown') {
    (cell as MarkdownCell).rendered = true;
    return { ok: true, outputs: [], executionCount: null };
  }
  if (cell.model.type !== 'code') {
    return { ok: false, outputs: [], executionCount: null, message: 'Only code cells run.' };
  }
  if (!panel.sessionContext.session?.kernel) {
    return { ok: false, outputs: [], executionCount: null, message: 'No kernel is running for this notebook.' };
  }
  try {
    await CodeCell.execute(cell as CodeCell, panel.sessionContext);
  } catch (error) {
    return { ok: false, outputs: [], executionCount: null, message: String(error) };
  }
  const model = cell.model as ICodeCellModel;
  return { ok: true, outputs: model.outputs.toJSON(), executionCount: model.executionCount };
}

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
  optional: [INotebookTracker, ISettingRegistry, ITranslator],
  activate: async (
    app: JupyterFrontEnd,
    tracker: INotebookTracker | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ): Promise<IConversationRegistry> => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const serverSettings = app.serviceManager.serverSettings;
    const context = tracker
      ? new NotebookContextService({
          tracker,
          settings: () => registry.settings,
          serverSettings,
          toImage: imageForClaude,
          runCell: runCellInKernel,
          saveText: async (path, text) => {
            await app.serviceManager.contents.save(path, { type: 'file', format: 'text', content: text });
            return path;
          }
        })
      : null;
    const registry: ConversationRegistry = new ConversationRegistry({
      createClient: settings => createClaudeClient(serverSettings, settings),
      settings: DEFAULT_SETTINGS,
      trans,
      contextSource: context ? key => context.sourceFor(key as NotebookPanel) : undefined,
      toolsFor: context ? key => context.toolsFor(key as NotebookPanel) : undefined,
      // Read at each save, so a renamed notebook saves under its new path.
      store: new ServerConversationStore(serverSettings),
      pathOf: key => (key as NotebookPanel).context.localPath
    });
    registry.setNotebookContext(context);

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
          registry.conversationFor(panel, label(panel));
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
