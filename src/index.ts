import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { conversationsPlugin } from './plugins/conversations';
import { mcpApprovalsPlugin, mcpPlugin, mcpViewPlugin } from './plugins/mcp';
import { modeBarPlugin, modesPlugin } from './plugins/modes';
import { panelPlugin } from './plugins/panel';
import { sessionsPlugin } from './plugins/sessions';
import { skillsPlugin, skillsViewPlugin } from './plugins/skills';
import { slashPlugin } from './plugins/slash';
import { toolsPlugin } from './plugins/tools';
import { usageAreaPlugin, usagePlugin } from './plugins/usage';

export * from './tokens';

const plugins: JupyterFrontEndPlugin<any>[] = [
  toolsPlugin,
  mcpPlugin,
  mcpApprovalsPlugin,
  slashPlugin,
  skillsPlugin,
  sessionsPlugin,
  modesPlugin,
  conversationsPlugin,
  panelPlugin,
  modeBarPlugin,
  mcpViewPlugin,
  skillsViewPlugin,
  usagePlugin,
  usageAreaPlugin
];

export default plugins;
