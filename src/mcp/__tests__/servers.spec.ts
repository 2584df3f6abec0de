/**
 * The MCP servers' tools through the real tool registry: registered as servers connect and
 * removed as they go, offered only where calls are approved and not where the scientist turned
 * them off; a call waits for Accept (nothing reaches the server before), a rejection carries
 * the reason back, an allowed read-only tool runs without a click, Cancel sends cancellation.
 */
import { ToolRegistry } from '../../agent/registry';
import type { IClaudeTools, IToolContext } from '../../agent/tokens';
import { McpServers } from '../model';
import type { IMcpCall } from '../tokens';
import { RecordedTransport } from './transport';

const NOTEBOOK = 'lab/melting.ipynb';

function context(servers: McpServers, withApproval = true): IToolContext {
  const approvals = servers.calls.approvalFor(() => NOTEBOOK);
  return {
    notebook: () => null,
    kernel: () => null,
    notebookDir: () => 'lab',
    notebookPath: () => NOTEBOOK,
    inspectVariable: async () => ({ ok: false, reason: 'no-kernel', message: 'No kernel.' }),
    files: async () => null,
    ...(withApproval ? { approve: approvals.approve, cancelApprovals: approvals.cancelPending } : {})
  };
}

async function setUp(): Promise<{
  registry: ToolRegistry;
  servers: McpServers;
  transport: RecordedTransport;
  tools: IClaudeTools;
}> {
  const registry = new ToolRegistry();
  const transport = new RecordedTransport();
  const servers = new McpServers({ transport, registry });
  await servers.connect();
  return { registry, servers, transport, tools: registry.toolsFor(context(servers)) };
}

/** The call card's state once it appears. */
function nextCall(servers: McpServers, status: IMcpCall['status']): Promise<IMcpCall> {
  return new Promise(resolve => {
    const check = (_: unknown, call: IMcpCall | null) => {
      if (call?.status === status) {
        servers.calls.changed.disconnect(check);
        resolve(call);
      }
    };
    servers.calls.changed.connect(check);
  });
}

const call = { toolUseId: 'toolu_01Acquire', model: 'claude-sonnet-5-5', requestId: 'req_1' };
const args = { start_nm: 250, end_nm: 270, step_nm: 5, averages: 1, seed: 3 };

describe('McpServers', () => {
  it('registers every tool of the connected servers as mcp__<server>__<tool>, kind external', async () => {
    const { registry, tools } = await setUp();
    const names = registry.tools.map(t => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['mcp__uvvis__get_status', 'mcp__uvvis__acquire_spectrum', 'mcp__everything__echo'])
    );
    expect(registry.tools.every(t => t.kind === 'external')).toBe(true);
    const acquire = tools.definitions().find(d => d.name === 'mcp__uvvis__acquire_spectrum')!;
    expect(acquire.input_schema.type).toBe('object');
    expect(acquire.description).toContain('MCP server "uvvis"');
  });

  it('offers no MCP tool where nothing approves calls', async () => {
    const { registry, servers } = await setUp();
    const names = registry
      .toolsFor(context(servers, false))
      .definitions()
      .map(d => d.name);
    expect(names.filter(n => n.startsWith('mcp__'))).toEqual([]);
  });

  it('removes the tools of a server that went away, and adds them back when it returns', async () => {
    const { registry, servers, transport } = await setUp();
    const uvvis = transport.listing.servers.find(s => s.name === 'uvvis')!;
    transport.listing = { ...transport.listing, servers: [{ ...uvvis, state: 'failed', tools: [] }] };
    await servers.refresh();
    expect(registry.tools.filter(t => t.name.startsWith('mcp__uvvis__'))).toEqual([]);
    expect(registry.tools.filter(t => t.name.startsWith('mcp__everything__'))).toEqual([]);
    transport.listing = { ...transport.listing, servers: [uvvis] };
    await servers.refresh();
    expect(registry.tools.map(t => t.name)).toContain('mcp__uvvis__acquire_spectrum');
  });

  it('leaves out a tool whose schema cannot be repaired, with the reason', async () => {
    const { registry, servers, transport } = await setUp();
    const uvvis = transport.listing.servers.find(s => s.name === 'uvvis')!;
    const bad = { name: 'scan_list', inputSchema: { type: 'array', items: { type: 'number' } } };
    transport.listing = { ...transport.listing, servers: [{ ...uvvis, tools: [...uvvis.tools, bad] }] };
    await servers.refresh();
    expect(registry.tools.map(t => t.name)).not.toContain('mcp__uvvis__scan_list');
    expect(servers.find('mcp__uvvis__scan_list')?.leftOut).toContain('not an object');
  });

  it('runs nothing before Accept; after Accept the result, with progress, goes back to Claude', async () => {
    const { servers, transport, tools } = await setUp();
    const pending = nextCall(servers, 'pending');
    const answer = tools.run('mcp__uvvis__acquire_spectrum', args, call);
    const card = await pending;
    expect(card).toMatchObject({ server: 'uvvis', tool: 'acquire_spectrum', arguments: args, notebookPath: NOTEBOOK });
    expect(transport.calls).toEqual([]);
    const done = nextCall(servers, 'done');
    servers.calls.accept(card.id);
    const result = await answer;
    expect(transport.calls).toEqual([
      { server: 'uvvis', tool: 'acquire_spectrum', body: { arguments: args, call_id: card.id } }
    ]);
    expect((await done).progress).toMatchObject({ progress: 2, total: 10, message: 'Scanning: 20 %' });
    expect(result.isError).toBe(false);
    expect(result.content).toContain('"absorbance":[0.51453,0.57982,0.59814,0.57928,0.51368]');
    // The server repeats its structured content as text: Claude reads it once.
    expect(result.content.match(/0\.59814/g)).toHaveLength(1);
  });

  it('sends the reason of a rejection back to Claude and never calls the server', async () => {
    const { servers, transport, tools } = await setUp();
    const pending = nextCall(servers, 'pending');
    const answer = tools.run('mcp__uvvis__set_temperature', { celsius: 95 }, call);
    servers.calls.reject((await pending).id, 'Too hot for this sample');
    const result = await answer;
    expect(result.isError).toBe(true);
    expect(result.content).toContain('Too hot for this sample');
    expect(transport.calls).toEqual([]);
  });

  it('runs a read-only tool allowed in this notebook without a card waiting, and only in this notebook', async () => {
    const { registry, servers, transport, tools } = await setUp();
    expect(servers.canAllow('mcp__uvvis__get_status')).toBe(true);
    expect(servers.canAllow('mcp__uvvis__acquire_spectrum')).toBe(false);
    expect(() => servers.setPermission(NOTEBOOK, 'mcp__uvvis__acquire_spectrum', 'allow')).toThrow('administrator');
    servers.setPermission(NOTEBOOK, 'mcp__uvvis__get_status', 'allow');
    await tools.run('mcp__uvvis__get_status', {}, call);
    expect(transport.calls.map(c => c.tool)).toEqual(['get_status']);
    expect(servers.calls.calls[0].allowed).toBe(true);
    expect(servers.permission('other.ipynb', 'mcp__uvvis__get_status')).toBe('ask');
    // The admin's "never" takes it back.
    transport.listing = { ...transport.listing, policy: { auto_approve: 'never' } };
    await servers.refresh();
    const pending = nextCall(servers, 'pending');
    void registry.toolsFor(context(servers)).run('mcp__uvvis__get_status', {}, { ...call, toolUseId: 't2' });
    await pending;
    expect(transport.calls).toHaveLength(1);
  });

  it('lets an admin policy of "any" allow a tool that writes', async () => {
    const { servers, transport } = await setUp();
    transport.listing = { ...transport.listing, policy: { auto_approve: 'any' } };
    await servers.refresh();
    expect(servers.canAllow('mcp__uvvis__acquire_spectrum')).toBe(true);
  });

  it('does not offer a tool turned off', async () => {
    const { servers, tools } = await setUp();
    servers.setPermission(NOTEBOOK, 'mcp__uvvis__set_temperature', 'off');
    expect(tools.definitions().map(d => d.name)).not.toContain('mcp__uvvis__set_temperature');
    const result = await tools.run('mcp__uvvis__set_temperature', { celsius: 30 }, call);
    expect(result).toMatchObject({ isError: true, content: 'There is no tool named mcp__uvvis__set_temperature.' });
  });

  it('remembers permissions and takes them back, ignoring anything malformed', async () => {
    const { servers } = await setUp();
    servers.setPermission(NOTEBOOK, 'mcp__uvvis__get_status', 'allow');
    servers.setPermission(NOTEBOOK, 'mcp__everything__echo', 'off');
    const saved = JSON.parse(JSON.stringify(servers.permissions()));
    const again = (await setUp()).servers;
    again.restorePermissions(saved);
    expect(again.permission(NOTEBOOK, 'mcp__uvvis__get_status')).toBe('allow');
    expect(again.permission(NOTEBOOK, 'mcp__everything__echo')).toBe('off');
    again.restorePermissions({ off: 'everything', allow: [1, 2] });
    expect(again.permission(NOTEBOOK, 'mcp__everything__echo')).toBe('ask');
  });

  it('cancels a running call through the bridge; Claude is told it was cancelled', async () => {
    const { servers, transport, tools } = await setUp();
    transport.hold = true;
    const pending = nextCall(servers, 'pending');
    const answer = tools.run('mcp__uvvis__acquire_spectrum', args, call);
    const card = await pending;
    servers.calls.accept(card.id);
    await new Promise(resolve => setTimeout(resolve, 0));
    await servers.calls.cancel(card.id);
    const result = await answer;
    expect(transport.cancelled).toEqual([card.id]);
    expect(result).toMatchObject({ isError: true });
    expect(result.content).toContain('cancelled');
    expect(servers.calls.calls[0].status).toBe('cancelled');
  });

  it('settles a waiting card when the scientist stops the answer', async () => {
    const { servers, transport, tools } = await setUp();
    const pending = nextCall(servers, 'pending');
    const answer = tools.run('mcp__uvvis__acquire_spectrum', args, call);
    await pending;
    tools.cancelPending?.();
    expect((await answer).isError).toBe(true);
    expect(transport.calls).toEqual([]);
  });

  it('sends images back to Claude as images', async () => {
    const { servers, tools } = await setUp();
    servers.setPermission(NOTEBOOK, 'mcp__everything__get-tiny-image', 'allow');
    const result = await tools.run('mcp__everything__get-tiny-image', {}, call);
    expect(result.images).toHaveLength(1);
    expect(result.images![0].mediaType).toBe('image/png');
    expect(result.content).toContain("Here's the image you requested");
  });

  it('saves a result beside its notebook with server, tool, arguments and time', async () => {
    const { servers, transport, tools } = await setUp();
    const pending = nextCall(servers, 'pending');
    const answer = tools.run('mcp__uvvis__acquire_spectrum', args, call);
    servers.calls.accept((await pending).id);
    await answer;
    const path = await servers.calls.save(servers.calls.calls[0].id);
    expect(path).toMatch(/^lab\/mcp-data\/uvvis\/acquire_spectrum-\d{8}T\d{9}Z\.json$/);
    const record = JSON.parse(transport.saved[0].text);
    expect(record).toMatchObject({ server: 'uvvis', tool: 'acquire_spectrum', arguments: args });
    expect(record.result.structuredContent.wavelength_nm).toEqual([250, 255, 260, 265, 270]);
    expect(servers.calls.calls[0].saved).toBe(path);
  });
});
