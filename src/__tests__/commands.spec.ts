/*
 * Every command is registered in one place, with the ids the settings schema binds keys and
 * menu entries to, and the labels the scientist knows. The panel and the shell are reduced to
 * what the commands call; the command registry, the notebook tracker and the input model are real.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { ICommandPalette } from '@jupyterlab/apputils';
import { NotebookTracker } from '@jupyterlab/notebook';
import { nullTranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import schema from '../../schema/plugin.json';
import { ServerConnection } from '@jupyterlab/services';
import { ToolRegistry } from '../agent/registry';
import { InputModel } from '../claude/input';
import { DEFAULT_SETTINGS } from '../claude/settings';
import type { IConversationRegistry } from '../claude/tokens';
import { addCommands, CommandIDs } from '../commands';
import { LazySessions } from '../session/lazy';
import { TRANSLATION_DOMAIN } from '../translation';

function setup(options: { notebooks?: boolean } = {}) {
  const commands = new CommandRegistry();
  const activated: string[] = [];
  const app = {
    commands,
    shell: { activateById: (id: string) => activated.push(id) },
    contextMenuHitTest: () => undefined
  } as unknown as JupyterFrontEnd;
  const sent: string[] = [];
  let busy = false;
  const input = new InputModel({ send: text => sent.push(text), isBusy: () => busy });
  const calls: string[] = [];
  const panel = {
    id: 'jp-claude-panel',
    content: async () => ({ input }),
    focusInput: () => calls.push('focus'),
    showLedger: (show: boolean) => calls.push(`ledger ${show}`)
  };
  const registry = {
    current: { clear: () => calls.push('clear'), stop: () => calls.push('stop'), isBusy: false },
    settings: { model: 'claude-sonnet-5-5' }
  } as unknown as IConversationRegistry;
  const palette: Array<{ command: string; category: string }> = [];
  const notebooks = options.notebooks ?? true;
  const tracker = new NotebookTracker({ namespace: 'claude-test' });
  addCommands(app, {
    panel,
    registry,
    tracker: notebooks ? tracker : null,
    // What the sessions plugin provides at start-up: the sessions' code is not loaded yet.
    sessions: notebooks
      ? new LazySessions({
          tracker,
          tools: new ToolRegistry(),
          settings: () => DEFAULT_SETTINGS,
          serverSettings: ServerConnection.makeSettings()
        })
      : null,
    palette: {
      addItem: (item: { command: string; category: string }) => palette.push(item)
    } as unknown as ICommandPalette,
    trans: nullTranslator.load(TRANSLATION_DOMAIN)
  });
  return { commands, activated, input, sent, calls, palette, setBusy: (b: boolean) => (busy = b) };
}

describe('addCommands', () => {
  it('registers every command id, and every command the schema binds a key or a menu entry to', () => {
    const { commands } = setup();
    for (const id of Object.values(CommandIDs)) {
      expect(commands.hasCommand(id)).toBe(true);
    }
    const bound = [
      ...schema['jupyter.lab.shortcuts'].map(s => s.command),
      ...schema['jupyter.lab.menus'].context
        .map(m => (m as { command?: string }).command)
        .filter((command): command is string => !!command)
    ];
    expect(bound.length).toBeGreaterThan(0);
    for (const id of bound) {
      expect(commands.hasCommand(id)).toBe(true);
    }
  });

  it('keeps the labels and captions the scientist knows', () => {
    const { commands } = setup();
    expect(commands.label(CommandIDs.openPanel)).toBe('Open Claude Panel');
    expect(commands.label(CommandIDs.askAboutCell)).toBe('Ask Claude About This Cell');
    expect(commands.label(CommandIDs.explainCell)).toBe('Explain This Cell');
    expect(commands.label(CommandIDs.fixError)).toBe('Fix This Error');
    expect(commands.label(CommandIDs.continueFromHere)).toBe('Continue the Analysis From Here');
    expect(commands.caption(CommandIDs.continueFromHere)).toBe('Ask Claude to propose the next cell');
    expect(commands.label(CommandIDs.acceptProposal)).toBe('Accept Claude Proposal');
    expect(commands.label(CommandIDs.rejectProposal)).toBe('Reject Claude Proposal');
    expect(commands.label(CommandIDs.proposeCode, { mode: 'replace' })).toBe('Replace Active Cell');
    expect(commands.label(CommandIDs.proposeCode, { mode: 'insert' })).toBe('Insert Below');
  });

  it('puts the panel and cell commands in the palette under Claude', () => {
    const { palette } = setup();
    expect(palette.map(p => p.command)).toEqual([
      CommandIDs.openPanel,
      CommandIDs.newChat,
      CommandIDs.stop,
      CommandIDs.showHypotheses,
      CommandIDs.acceptProposal,
      CommandIDs.rejectProposal,
      CommandIDs.askAboutCell,
      CommandIDs.explainCell,
      CommandIDs.fixError,
      CommandIDs.continueFromHere
    ]);
    expect(new Set(palette.map(p => p.category))).toEqual(new Set(['Claude']));
  });

  it('offers no cell action without a notebook, and without notebooks registers only the panel commands', () => {
    const { commands } = setup();
    expect(commands.isEnabled(CommandIDs.explainCell)).toBe(false);
    expect(commands.isVisible(CommandIDs.fixError)).toBe(false);
    expect(commands.isEnabled(CommandIDs.acceptProposal)).toBe(false);
    const bare = setup({ notebooks: false });
    expect(bare.commands.hasCommand(CommandIDs.openPanel)).toBe(true);
    expect(bare.commands.hasCommand(CommandIDs.explainCell)).toBe(false);
    expect(bare.palette).toHaveLength(4);
  });

  it('fills the message box with the draft command, and sends it only when asked and not busy', async () => {
    const { commands, input, sent, calls, setBusy } = setup();
    await commands.execute(CommandIDs.draft, { text: 'About cell #2: ' });
    expect(input.value).toBe('About cell #2: ');
    expect(calls).toEqual(['focus']);
    setBusy(true);
    await commands.execute(CommandIDs.draft, { text: 'Explain it', send: true });
    expect(sent).toEqual([]);
    expect(input.value).toBe('Explain it');
    setBusy(false);
    await commands.execute(CommandIDs.draft, { text: 'Explain it', send: true });
    expect(sent).toEqual(['Explain it']);
    expect(input.value).toBe('');
  });

  it('opens the panel, starts a new chat and shows the ledger', async () => {
    const { commands, activated, calls } = setup();
    await commands.execute(CommandIDs.openPanel);
    await commands.execute(CommandIDs.newChat);
    await commands.execute(CommandIDs.showHypotheses);
    expect(activated).toEqual(['jp-claude-panel', 'jp-claude-panel', 'jp-claude-panel']);
    expect(calls).toEqual(['focus', 'clear', 'focus', 'ledger true']);
  });
});
