/*
 * The Tools view: each MCP server with its state (the last lines of its stderr when it
 * failed), Restart, its tools with their annotations and a permission for each (Ask every
 * time, Allow in this notebook, Off), its resources (Attach, Save) and prompts (/commands);
 * the project's .mcp.json waiting for trust.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { IMcpResourceInfo, IMcpServerInfo, IMcpServers, IMcpToolInfo, McpPermission } from '../mcp/tokens';
import { emptyNote, statusLine, styledButton } from './card';

/**
 * How often the view reads the servers' states while it is shown.
 */
const POLL_MS = 3000;

export class McpToolsView extends Widget {
  constructor(options: McpToolsView.IOptions) {
    super();
    this._options = options;
    this.addClass('jp-Claude-mcpView');
    this.node.setAttribute('aria-label', options.trans.__('MCP tools'));
    options.servers.changed.connect(() => this.isVisible && this.render(), this);
  }

  render(): void {
    const { servers, trans } = this._options;
    // The listing is polled: draw again only when something shown changed (a picker stays open).
    const path = this._options.notebookPath();
    const key = JSON.stringify([
      servers.listing,
      servers.error,
      servers.offered.map(t => [t.name, t.leftOut, servers.permission(path, t.name), servers.canAllow(t.name)]),
      path,
      [...this._notes]
    ]);
    if (key === this._drawn) {
      return;
    }
    this._drawn = key;
    const node = this.node;
    node.textContent = '';
    const heading = document.createElement('h3');
    heading.textContent = trans.__('MCP servers');
    node.append(heading);
    if (servers.error) {
      node.append(statusLine(trans.__('The servers could not be listed: %1', servers.error)));
    }
    const listing = servers.listing;
    for (const error of listing?.config_errors ?? []) {
      node.append(statusLine(error));
    }
    const project = listing?.project;
    if (project?.exists && project.enabled && !project.trusted && project.sha256) {
      const box = document.createElement('div');
      box.className = 'jp-Claude-mcpTrust';
      box.append(
        statusLine(
          trans.__(
            'This folder has a %1 naming %2. Its servers start only once you trust this exact file.',
            project.path,
            project.servers.join(', ')
          )
        ),
        styledButton(
          trans.__('Trust %1', project.path),
          'jp-mod-warn',
          () => void servers.trustProject(project.sha256!, true)
        )
      );
      node.append(box);
    }
    if (!listing?.servers.length) {
      node.append(emptyNote(trans.__('No MCP server is configured (c.ClaudeMCP.servers or claude_mcp.json).')));
      return;
    }
    for (const server of listing.servers) {
      node.append(this._server(server));
    }
  }

  protected onAfterShow(): void {
    this.render();
    void this._options.servers.refresh();
    this._timer = window.setInterval(() => void this._options.servers.refresh(), POLL_MS);
  }

  protected onAfterHide(): void {
    window.clearInterval(this._timer);
  }

  dispose(): void {
    window.clearInterval(this._timer);
    super.dispose();
  }

  private _server(server: IMcpServerInfo): HTMLElement {
    const { servers, trans } = this._options;
    const section = document.createElement('section');
    section.className = 'jp-Claude-mcpServer';
    section.dataset.server = server.name;
    section.dataset.state = server.state;
    const head = document.createElement('div');
    head.className = 'jp-Claude-mcpServerHead';
    const name = document.createElement('strong');
    name.textContent = server.server_info?.title ?? server.name;
    const state = document.createElement('span');
    state.className = 'jp-Claude-mcpState';
    state.textContent = Private.stateLabel(server.state, trans);
    const source = document.createElement('span');
    source.className = 'jp-Claude-mcpSource';
    source.textContent = server.source;
    const restart = styledButton(trans.__('Restart'), '', async () => {
      restart.disabled = true;
      await servers.restart(server.name);
      restart.disabled = false;
    });
    restart.setAttribute('aria-label', trans.__('Restart %1', server.name));
    head.append(name, state, source, restart);
    section.append(head);
    if (server.error) {
      section.append(statusLine(server.error));
    }
    if ((server.state === 'failed' || server.state === 'restarting') && server.stderr?.length) {
      const stderr = document.createElement('pre');
      stderr.className = 'jp-Claude-mcpStderr';
      stderr.setAttribute('aria-label', trans.__('The last lines of its error output'));
      stderr.textContent = server.stderr.slice(-10).join('\n');
      section.append(stderr);
    }
    if (server.tools?.length) {
      section.append(this._heading(trans.__('Tools')));
      for (const tool of server.tools) {
        section.append(this._tool(server.name, tool));
      }
    }
    if (server.resources?.length) {
      section.append(this._heading(trans.__('Resources')));
      for (const resource of server.resources) {
        section.append(this._resource(server.name, resource));
      }
    }
    if (server.prompts?.length) {
      section.append(this._heading(trans.__('Prompts')));
      for (const prompt of server.prompts) {
        const row = document.createElement('div');
        row.className = 'jp-Claude-mcpItem';
        const label = document.createElement('code');
        label.textContent = `/${this._options.promptCommand(server.name, prompt.name)}`;
        const description = document.createElement('span');
        description.textContent = prompt.description ?? prompt.title ?? '';
        row.append(label, description);
        section.append(row);
      }
    }
    return section;
  }

  private _heading(text: string): HTMLElement {
    const h = document.createElement('h4');
    h.textContent = text;
    return h;
  }

  private _tool(server: string, tool: IMcpToolInfo): HTMLElement {
    const { servers, trans } = this._options;
    const row = document.createElement('div');
    row.className = 'jp-Claude-mcpTool';
    row.dataset.tool = tool.name;
    const offered = servers.offered.find(t => t.server === server && t.tool.name === tool.name);
    const label = document.createElement('code');
    label.textContent = tool.name;
    label.title = offered?.name ?? '';
    const badges = document.createElement('span');
    badges.className = 'jp-Claude-mcpBadges';
    const a = tool.annotations ?? {};
    for (const [on, text] of [
      [a.readOnlyHint === true, trans.__('read-only')],
      [a.destructiveHint === true && a.readOnlyHint !== true, trans.__('destructive')],
      [a.idempotentHint === true, trans.__('idempotent')],
      [a.openWorldHint === true, trans.__('open world')]
    ] as [boolean, string][]) {
      if (on) {
        const badge = document.createElement('span');
        badge.className = 'jp-Claude-mcpBadge';
        badge.textContent = text;
        badges.append(badge);
      }
    }
    const description = document.createElement('div');
    description.className = 'jp-Claude-mcpDescription';
    description.textContent = tool.description ?? '';
    row.append(label, badges);
    if (offered?.leftOut) {
      row.append(statusLine(offered.leftOut));
    } else if (offered) {
      row.append(this._picker(offered.name));
      if (offered.repairs.length) {
        description.title = trans.__('Schema repaired: %1', offered.repairs.join('; '));
      }
    }
    row.append(description);
    return row;
  }

  private _picker(name: string): HTMLSelectElement {
    const { servers, trans } = this._options;
    const path = this._options.notebookPath();
    const select = document.createElement('select');
    select.className = 'jp-Claude-mcpPermission jp-mod-styled';
    select.setAttribute('aria-label', trans.__('Permission for %1', name));
    const choices: [McpPermission, string, boolean][] = [
      ['ask', trans.__('Ask every time'), true],
      ['allow', trans.__('Allow in this notebook'), !!path && servers.canAllow(name)],
      ['off', trans.__('Off'), true]
    ];
    for (const [value, text, enabled] of choices) {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = text;
      option.disabled = !enabled;
      select.append(option);
    }
    select.value = servers.permission(path, name);
    select.addEventListener('change', () => servers.setPermission(path, name, select.value as McpPermission));
    return select;
  }

  private _resource(server: string, resource: IMcpResourceInfo): HTMLElement {
    const { trans } = this._options;
    const row = document.createElement('div');
    row.className = 'jp-Claude-mcpItem';
    row.dataset.uri = resource.uri;
    const label = document.createElement('code');
    label.textContent = resource.name ?? resource.uri;
    label.title = resource.uri;
    const description = document.createElement('span');
    description.textContent = resource.description ?? resource.title ?? '';
    const key = `${server}\u0000${resource.uri}`;
    const status = statusLine(this._notes.get(key) ?? '');
    const say = (text: string) => {
      this._notes.set(key, text);
      status.textContent = text;
    };
    const attach = styledButton(trans.__('Attach'), '', async () => {
      try {
        say((await this._options.attachResource?.(server, resource)) ?? '');
      } catch (error) {
        say(error instanceof Error ? error.message : String(error));
      }
    });
    attach.title = trans.__('Attach it to your next question');
    const save = styledButton(trans.__('Save'), '', async () => {
      try {
        say(await this._options.saveResource(server, resource));
      } catch (error) {
        say(error instanceof Error ? error.message : String(error));
      }
    });
    save.title = trans.__('Keep it beside the notebook and propose a cell that loads it');
    save.disabled = !this._options.notebookPath();
    row.append(label, description, ...(this._options.attachResource ? [attach] : []), save, status);
    return row;
  }

  private _options: McpToolsView.IOptions;
  private _timer = 0;
  private _drawn = '';
  /** What the last Attach or Save of each resource said (kept across redraws). */
  private _notes = new Map<string, string>();
}

export namespace McpToolsView {
  export interface IOptions {
    servers: IMcpServers;
    trans: TranslationBundle;
    /** The notebook in focus ('' without one): "Allow in this notebook" speaks of it. */
    notebookPath: () => string;
    /** The `/name` a prompt goes by in the message box. */
    promptCommand: (server: string, prompt: string) => string;
    /** Attach a resource to the next question; resolves to what to say. */
    attachResource?: (server: string, resource: IMcpResourceInfo) => Promise<string>;
    /** Save a resource beside the notebook and propose its load cell; resolves to what to say. */
    saveResource: (server: string, resource: IMcpResourceInfo) => Promise<string>;
  }
}

namespace Private {
  export function stateLabel(state: string, trans: TranslationBundle): string {
    switch (state) {
      case 'connected':
        return trans.__('connected');
      case 'starting':
        return trans.__('starting');
      case 'restarting':
        return trans.__('restarting');
      case 'failed':
        return trans.__('failed');
      case 'disabled':
        return trans.__('disabled');
      default:
        return trans.__('stopped');
    }
  }
}
