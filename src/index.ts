import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { conversationsPlugin } from './plugins/conversations';
import { mcpApprovalsPlugin, mcpPlugin, mcpViewPlugin } from './plugins/mcp';
import { modeBarPlugin, modesPlugin } from './plugins/modes';
import { panelPlugin } from './plugins/panel';
import { sessionsPlugin } from './plugins/sessions';
import { slashPlugin } from './plugins/slash';
import { toolsPlugin } from './plugins/tools';
import { usagePlugin } from './plugins/usage';

export * from './tokens';

const plugins: JupyterFrontEndPlugin<any>[] = [
  toolsPlugin,
  mcpPlugin,
  mcpApprovalsPlugin,
  slashPlugin,
  sessionsPlugin,
  modesPlugin,
  conversationsPlugin,
  panelPlugin,
  modeBarPlugin,
  mcpViewPlugin,
  usagePlugin
];

export default plugins;
