/*
 * An MCP tool as a tool of the registry: kind `external` (offered only where calls are
 * approved, run only once the scientist accepts or allowed it), named `mcp__<server>__<tool>`,
 * with a schema the Messages API takes. Off in a notebook: not offered there.
 */
import type { ITool, IToolContext } from '../agent/tokens';
import { mcpToolName, repairSchema } from './schema';
import type { IMcpCalls, IMcpOfferedTool, IMcpToolInfo, McpPermission } from './tokens';

/**
 * What a tool's description tells Claude beyond the server's own words.
 */
const PROVENANCE =
  'This tool belongs to the MCP server "%1"; each call waits for the scientist unless they allowed it.';

/**
 * The tool Claude sees for one MCP tool, or why it is left out.
 */
export function offerTool(server: string, tool: IMcpToolInfo): IMcpOfferedTool {
  const name = mcpToolName(server, tool.name);
  const repair = repairSchema(tool.inputSchema);
  if ('error' in repair) {
    return { name, server, tool, repairs: [], leftOut: `Left out: ${repair.error}.` };
  }
  return { name, server, tool, repairs: repair.repairs };
}

/**
 * The registry's tool for an offered MCP tool.
 */
export function mcpTool(
  offered: IMcpOfferedTool,
  options: { calls: IMcpCalls; permission: (notebookPath: string, name: string) => McpPermission }
): ITool {
  const { name, server, tool } = offered;
  const repair = repairSchema(tool.inputSchema);
  if ('error' in repair) {
    throw new Error(`${name}: ${repair.error}`);
  }
  const own = (tool.description ?? tool.title ?? '').trim();
  const description = `${own ? `${own}\n\n` : ''}${PROVENANCE.replace('%1', server)}`.slice(0, 4000);
  return {
    name,
    description,
    input_schema: repair.schema,
    kind: 'external',
    isAvailable: (context: IToolContext) => options.permission(notebookPath(context), name) !== 'off',
    describe: () => `Asked to call ${tool.name} on ${server}`,
    handler: (input, context) =>
      options.calls.run(context.call.toolUseId, { name, server, tool: tool.name }, input, notebookPath(context))
  };
}

/**
 * Whether a tool says of itself that it only reads.
 */
export function isReadOnly(tool: IMcpToolInfo): boolean {
  return tool.annotations?.readOnlyHint === true;
}

function notebookPath(context: IToolContext): string {
  return context.notebookPath?.() ?? '';
}
