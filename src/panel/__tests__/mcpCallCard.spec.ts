/**
 * The MCP call cards, on the real calls model and the real tool registry: the card shows the
 * exact arguments and waits; Accept runs the call, Reject sends the reason; the result is
 * shown as text (never as HTML) and Save keeps it and hands its path on.
 */
import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { ToolRegistry } from '../../agent/registry';
import type { IToolContext } from '../../agent/tokens';
import { McpServers } from '../../mcp/model';
import { RecordedTransport } from '../../mcp/__tests__/transport';
import type { IMcpCall } from '../../mcp/tokens';
import { McpCallArea } from '../mcpCallCard';

const trans = nullTranslator.load('jupyterlab-claude');
const NOTEBOOK = 'melting.ipynb';

async function setUp() {
  const registry = new ToolRegistry();
  const transport = new RecordedTransport();
  const servers = new McpServers({ transport, registry });
  await servers.connect();
  const approvals = servers.calls.approvalFor(() => NOTEBOOK);
  const context: IToolContext = {
    notebook: () => null,
    kernel: () => null,
    notebookDir: () => '',
    notebookPath: () => NOTEBOOK,
    inspectVariable: async () => ({ ok: false, reason: 'no-kernel', message: '' }),
    files: async () => null,
    approve: approvals.approve,
    cancelApprovals: approvals.cancelPending
  };
  const saved: string[] = [];
  let current = NOTEBOOK;
  const area = new McpCallArea({
    calls: servers.calls,
    trans,
    notebookPath: () => current,
    onSaved: (_call: IMcpCall, path: string) => saved.push(path)
  });
  Widget.attach(area, document.body);
  return {
    servers,
    transport,
    area,
    saved,
    tools: registry.toolsFor(context),
    focus: (path: string) => {
      current = path;
      area.refresh();
    }
  };
}

function until(check: () => boolean): Promise<void> {
  return new Promise(resolve => {
    const poll = () => (check() ? resolve() : setTimeout(poll, 5));
    poll();
  });
}

function button(node: HTMLElement, label: string): HTMLButtonElement {
  return [...node.querySelectorAll('button')].find(b => b.textContent === label)!;
}

const call = { toolUseId: 'toolu_card', model: 'm', requestId: null };

describe('McpCallArea', () => {
  it('shows the exact arguments and waits; Accept runs it and the result shows as text', async () => {
    const { area, transport, tools } = await setUp();
    const args = { start_nm: 250, end_nm: 270, note: '<img src=x onerror=alert(1)>' };
    const answer = tools.run('mcp__uvvis__acquire_spectrum', args, call);
    await until(() => !!area.node.querySelector('[data-status="pending"]'));
    const card = area.node.querySelector('.jp-Claude-mcpCall') as HTMLElement;
    expect(card.querySelector('.jp-Claude-proposalTitle')!.textContent).toBe('Call acquire_spectrum on uvvis');
    expect(JSON.parse(card.querySelector('.jp-Claude-mcpArguments')!.textContent!)).toEqual(args);
    expect(card.querySelector('img')).toBeNull();
    expect(transport.calls).toEqual([]);
    button(card, 'Accept').click();
    await answer;
    expect(card.dataset.status).toBe('done');
    expect(card.querySelector('.jp-Claude-mcpResult pre')!.textContent).toContain('"wavelength_nm"');
  });

  it('sends the reason typed with Reject', async () => {
    const { area, tools } = await setUp();
    const answer = tools.run('mcp__uvvis__set_temperature', { celsius: 99 }, call);
    await until(() => !!area.node.querySelector('[data-status="pending"]'));
    const card = area.node.querySelector('.jp-Claude-mcpCall') as HTMLElement;
    (card.querySelector('input.jp-Claude-rejectReason') as HTMLInputElement).value = 'Out of range';
    button(card, 'Reject').click();
    expect((await answer).content).toContain('Out of range');
    expect(card.dataset.status).toBe('rejected');
    expect(card.textContent).toContain('Rejected: Out of range');
  });

  it('saves the result and hands its path on for the load cell', async () => {
    const { area, servers, saved, tools } = await setUp();
    servers.setPermission(NOTEBOOK, 'mcp__uvvis__get_status', 'allow');
    await tools.run('mcp__uvvis__get_status', {}, call);
    const card = area.node.querySelector('.jp-Claude-mcpCall') as HTMLElement;
    button(card, 'Save beside the notebook').click();
    await until(() => saved.length === 1);
    expect(saved[0]).toMatch(/^mcp-data\/uvvis\/get_status-.*\.json$/);
    await until(() => card.textContent!.includes('Saved to'));
  });

  it('shows only the cards of the notebook in focus', async () => {
    const { area, tools, focus } = await setUp();
    void tools.run('mcp__uvvis__acquire_spectrum', {}, call);
    await until(() => area.node.querySelectorAll('.jp-Claude-mcpCall').length === 1);
    focus('other.ipynb');
    expect(area.node.querySelectorAll('.jp-Claude-mcpCall')).toHaveLength(0);
    focus(NOTEBOOK);
    expect(area.node.querySelectorAll('.jp-Claude-mcpCall')).toHaveLength(1);
  });
});
