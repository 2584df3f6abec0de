/*
 * Wiring: the MCP front end. The servers' model (its tools registered in the tool registry as
 * servers connect), the approvals of MCP calls (the sessions hand them to each notebook's
 * tools), and in the panel the Tools view, the call cards, and prompts as /commands.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import { IToolApprovals, IToolRegistry } from '../agent/tokens';
import { ISlashCommands } from '../claude/tokens';
import { McpClient } from '../mcp/client';
import { loadCellSource, resourceData, toolResultData, type ISavedData } from '../mcp/load';
import { McpServers } from '../mcp/model';
import { promptArguments, promptCommandName } from '../mcp/prompts';
import { IMcpServers } from '../mcp/tokens';
import { LazyWidget } from '../panel/lazy';
import { IClaudePanelViews } from '../panel/tokens';
import { LazySessions } from '../session/lazy';
import { INotebookSessions } from '../session/tokens';
import { TRANSLATION_DOMAIN } from '../translation';

const PERMISSIONS_KEY = 'jupyterlab-claude:mcp-permissions';

/**
 * Provides the MCP servers' model; starts the configured servers once JupyterLab is ready.
 */
export const mcpPlugin: JupyterFrontEndPlugin<IMcpServers> = {
  id: 'jupyterlab-claude:mcp',
  description: 'The MCP servers the Jupyter server bridges: their tools for Claude, permissions and calls.',
  autoStart: true,
  provides: IMcpServers,
  requires: [IToolRegistry],
  activate: (app: JupyterFrontEnd, registry: IToolRegistry): IMcpServers => {
    // The scientist's choices stay in this browser, per Jupyter server.
    const key = `${PERMISSIONS_KEY}:${app.serviceManager.serverSettings.baseUrl}`;
    const servers = new McpServers({
      transport: new McpClient(app.serviceManager.serverSettings),
      registry,
      savePermissions: permissions => Private.store(key, permissions)
    });
    servers.restorePermissions(Private.load(key));
    void app.restored.then(() => servers.connect());
    return servers;
  }
};

/**
 * Provides the approvals of MCP calls (the call cards) to the notebooks' tools.
 */
export const mcpApprovalsPlugin: JupyterFrontEndPlugin<IToolApprovals> = {
  id: 'jupyterlab-claude:mcp-approvals',
  description: 'The scientist approves each MCP call on its card, unless the tool is allowed in the notebook.',
  autoStart: true,
  provides: IToolApprovals,
  requires: [IMcpServers],
  activate: (_app: JupyterFrontEnd, servers: IMcpServers): IToolApprovals => servers.calls
};

/**
 * The Tools view and the call cards in the Claude panel; prompts as /commands.
 */
export const mcpViewPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-claude:mcp-view',
  description: 'The MCP Tools view and call cards in the Claude panel.',
  autoStart: true,
  requires: [IMcpServers, IClaudePanelViews],
  optional: [ITranslator, INotebookTracker, INotebookSessions, ISlashCommands],
  activate: (
    _app: JupyterFrontEnd,
    servers: IMcpServers,
    views: IClaudePanelViews,
    translator: ITranslator | null,
    tracker: INotebookTracker | null,
    sessions: INotebookSessions | null,
    slash: ISlashCommands | null
  ): void => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const notebookPath = () => tracker?.currentWidget?.context.localPath ?? '';

    // A saved result becomes a proposed cell that loads it: reviewed like any proposal.
    const proposeLoad = (saved: ISavedData) => {
      const panel = tracker?.find(p => p.context.localPath === saved.notebookPath);
      const queue = panel && sessions ? sessions.sessionFor(panel).proposals : null;
      if (!queue || !panel) {
        return false;
      }
      const cells = panel.content.model?.cells;
      const last = cells && cells.length ? cells.get(cells.length - 1).id : null;
      void queue.propose(
        'insert',
        { cell_id: last, cell_type: 'code', source: loadCellSource(saved) },
        {
          toolUseId: `mcp-load-${Date.now().toString(36)}`,
          model: 'jupyterlab-claude (MCP: keep the data)',
          requestId: null
        }
      );
      return true;
    };

    // The cards and the view load with the chat (their code is not in the start-up bundle).
    const area = new LazyWidget(async () => {
      // A saved result proposes a cell in the notebook's session: the sessions load with the panel.
      const [{ McpCallArea }] = await Promise.all([
        import(/* webpackChunkName: "claude-mcp" */ '../panel/mcpCallCard'),
        LazySessions.whenLoaded(sessions)
      ]);
      const widget = new McpCallArea({
        calls: servers.calls,
        trans,
        notebookPath,
        onSaved: (call, path) => {
          if (call.result) {
            proposeLoad({
              path,
              notebookPath: call.notebookPath,
              server: call.server,
              stem: call.tool,
              ...toolResultData(call.result)
            });
          }
        }
      });
      tracker?.currentChanged.connect(() => widget.refresh());
      return widget;
    });
    area.addClass('jp-Claude-mcpCallsArea');
    views.addArea(area);

    const client = new McpClient(_app.serviceManager.serverSettings);
    const view = new LazyWidget(async () => {
      const [{ McpToolsView }] = await Promise.all([
        import(/* webpackChunkName: "claude-mcp" */ '../panel/mcpView'),
        LazySessions.whenLoaded(sessions)
      ]);
      return new McpToolsView({
        servers,
        trans,
        notebookPath,
        promptCommand: promptCommandName,
        attachResource: async (server, resource) => {
          const selection = sessions?.current?.selection;
          if (!selection?.attachText) {
            throw new Error(trans.__('Open a notebook to attach a resource to its questions.'));
          }
          const { contents } = await client.readResource(server, resource.uri);
          const text = contents
            .map(c => c.text ?? `[binary content of ${c.uri ?? resource.uri} not attached]`)
            .join('\n\n');
          const title = `${server}: ${resource.name ?? resource.uri}`;
          selection.attachText({ id: `mcp:${server}:${resource.uri}`, title, text });
          return trans.__('Attached to your next questions (see the chips under the chat).');
        },
        saveResource: async (server, resource) => {
          const path = notebookPath();
          const answer = await client.saveResource(server, resource.uri, path);
          if (!answer.saved) {
            throw new Error(answer.save_error ?? trans.__('Not saved.'));
          }
          const stem = `resource-${resource.name ?? 'data'}`;
          const proposed = proposeLoad({
            path: answer.saved,
            notebookPath: path,
            server,
            stem,
            ...resourceData(answer.contents)
          });
          return proposed
            ? trans.__('Saved to %1; a cell that loads it is proposed.', answer.saved)
            : trans.__('Saved to %1.', answer.saved);
        }
      });
    });
    view.id = 'jp-claude-mcp-view';
    views.add({
      id: 'mcp',
      label: trans.__('Tools'),
      caption: trans.__('MCP servers: their tools, resources and prompts, and what Claude may call'),
      rank: 50,
      widget: view
    });

    if (slash) {
      const registered = new Map<string, IDisposable>();
      servers.changed.connect(() => {
        const wanted = new Map<string, () => void>();
        for (const server of servers.listing?.servers ?? []) {
          for (const prompt of server.prompts ?? []) {
            const name = promptCommandName(server.name, prompt.name);
            if (registered.has(name) || slash.has(name)) {
              wanted.set(name, () => undefined);
              continue;
            }
            registered.set(
              name,
              slash.register({
                name,
                description: prompt.description ?? prompt.title ?? prompt.name,
                source: trans.__('MCP: %1', server.name),
                resolve: async args => {
                  const answer = await client.getPrompt(server.name, prompt.name, promptArguments(prompt, args));
                  const text = answer.messages
                    .map(m => (m.content?.type === 'text' ? (m.content.text ?? '') : `[${m.content?.type} content]`))
                    .join('\n\n');
                  return { userText: text };
                }
              })
            );
            wanted.set(name, () => undefined);
          }
        }
        for (const [name, registration] of registered) {
          if (!wanted.has(name)) {
            registration.dispose();
            registered.delete(name);
          }
        }
      });
    }
  }
};

namespace Private {
  export function load(key: string): unknown {
    try {
      return JSON.parse(window.localStorage.getItem(key) ?? 'null');
    } catch {
      return null;
    }
  }

  export function store(key: string, value: unknown): void {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch {
      // Private browsing or a full storage: the choices last for this page only.
    }
  }
}
