/*
 * Wiring: the slash commands (`/name` at the start of a question). Skills and MCP prompts
 * register theirs through the token; the conversations resolve them, the message box completes them.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { SlashCommands } from '../claude/slash';
import { ISlashCommands } from '../claude/tokens';

/**
 * Provides the slash command registry.
 */
export const slashPlugin: JupyterFrontEndPlugin<ISlashCommands> = {
  id: 'jupyterlab-claude:slash-commands',
  description: 'Commands typed as /name at the start of a question.',
  autoStart: true,
  provides: ISlashCommands,
  activate: (_app: JupyterFrontEnd): ISlashCommands => new SlashCommands()
};
