import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { conversationsPlugin } from './plugins/conversations';
import { panelPlugin } from './plugins/panel';
import { sessionsPlugin } from './plugins/sessions';

export * from './tokens';

const plugins: JupyterFrontEndPlugin<any>[] = [sessionsPlugin, conversationsPlugin, panelPlugin];

export default plugins;
