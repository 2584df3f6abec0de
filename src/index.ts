import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { conversationsPlugin } from './plugins/conversations';
import { mcpApprovalsPlugin, mcpPlugin, mcpViewPlugin } from './plugins/mcp';
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
  conversationsPlugin,
  panelPlugin,
  mcpViewPlugin,
  usagePlugin
];

export default plugins;
