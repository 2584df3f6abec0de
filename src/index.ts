import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { conversationsPlugin } from './plugins/conversations';
import { panelPlugin } from './plugins/panel';

export * from './tokens';

const plugins: JupyterFrontEndPlugin<any>[] = [conversationsPlugin, panelPlugin];

export default plugins;
