import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { cellActionsPlugin } from './plugins/cells';
import { conversationsPlugin } from './plugins/conversations';
import { panelPlugin } from './plugins/panel';

export * from './tokens';

const plugins: JupyterFrontEndPlugin<any>[] = [conversationsPlugin, panelPlugin, cellActionsPlugin];

export default plugins;
