/*
 * Wiring: the tool registry, with the built-in tools each capability brings (the notebook's
 * read tools, the proposal tools, the hypothesis tools, the plan tools). MCP servers and skills register
 * theirs through the same token at run time.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ToolRegistry } from '../agent/registry';
import { IToolRegistry } from '../agent/tokens';
import { PLAN_TOOLS } from '../agent/planTools';
import { NOTEBOOK_READ_TOOLS } from '../agent/tools';
import { HYPOTHESIS_TOOLS } from '../hypotheses/tools';
import { PROPOSAL_TOOLS } from '../proposals/tools';

/**
 * Provides the tool registry.
 */
export const toolsPlugin: JupyterFrontEndPlugin<IToolRegistry> = {
  id: 'jupyterlab-claude:tools',
  description: 'Every tool Claude may call, with the approval its kind needs.',
  autoStart: true,
  provides: IToolRegistry,
  activate: (_app: JupyterFrontEnd): IToolRegistry => {
    const registry = new ToolRegistry();
    for (const tool of [...NOTEBOOK_READ_TOOLS, ...PROPOSAL_TOOLS, ...HYPOTHESIS_TOOLS, ...PLAN_TOOLS]) {
      registry.register(tool);
    }
    return registry;
  }
};
