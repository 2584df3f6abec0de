import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { conversationsPlugin } from './plugins/conversations';
import { panelPlugin } from './plugins/panel';
import { sessionsPlugin } from './plugins/sessions';
import { toolsPlugin } from './plugins/tools';

export * from './tokens';

const plugins: JupyterFrontEndPlugin<any>[] = [toolsPlugin, sessionsPlugin, conversationsPlugin, panelPlugin];

export default plugins;
