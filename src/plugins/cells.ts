/*
 * Wiring: the cell actions (context menu, palette, shortcuts): ask about, explain, fix the
 * error of, and continue from the active cell. Each opens the panel with the cell attached.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import type { ICodeCellModel } from '@jupyterlab/cells';
import type { IError } from '@jupyterlab/nbformat';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { cellQuestion, type ICellRef } from '../claude/prompts';
import { CommandIDs } from '../commands';
import { IConversationRegistry } from '../claude/tokens';
import { INotebookSessions } from '../session/tokens';
import { TRANSLATION_DOMAIN } from '../translation';

/**
 * Cell actions that ask Claude.
 */
export const cellActionsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-claude:cell-actions',
  description: 'Ask Claude about a cell, explain it, fix its error, or continue from it.',
  autoStart: true,
  requires: [IConversationRegistry, INotebookTracker, INotebookSessions],
  optional: [ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    registry: IConversationRegistry,
    tracker: INotebookTracker,
    sessions: INotebookSessions,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const { commands } = app;

    // The cell right-clicked on (from the context menu), else the active cell.
    const targetCell = () => {
      const notebook = tracker.currentWidget?.content;
      if (!notebook) {
        return null;
      }
      const node = app.contextMenuHitTest(n => n.classList.contains('jp-Cell'));
      const hit = node ? notebook.widgets.findIndex(widget => widget.node === node) : -1;
      const index = hit >= 0 ? hit : notebook.activeCellIndex;
      const cell = notebook.widgets[index];
      return cell ? { cell, index } : null;
    };
    const activeCell = (): ICellRef | null => {
      const target = targetCell();
      return target ? { index: target.index, id: target.cell.model.id } : null;
    };
    const errorOf = (): IError | null => {
      const cell = targetCell()?.cell;
      if (!cell || cell.model.type !== 'code') {
        return null;
      }
      const outputs = (cell.model as ICodeCellModel).outputs;
      for (let i = outputs.length - 1; i >= 0; i--) {
        const output = outputs.get(i).toJSON();
        if (output.output_type === 'error') {
          return output as IError;
        }
      }
      return null;
    };
    // The cell goes with the question (and with later ones, until removed from the chips).
    const attach = (cell: ICellRef) => sessions.selection?.attach([cell.id]);
    const ask = async (question: string, send: boolean) => {
      await commands.execute(CommandIDs.openPanel);
      await commands.execute(CommandIDs.draft, { text: question, send });
    };
    const hasCell = () => activeCell() !== null;

    commands.addCommand(CommandIDs.askAboutCell, {
      label: trans.__('Ask Claude About This Cell'),
      caption: trans.__('Open the Claude panel with this cell attached'),
      isEnabled: hasCell,
      execute: async () => {
        const cell = activeCell();
        if (cell) {
          attach(cell);
          await ask(trans.__('About cell #%1: ', cell.index + 1), false);
        }
      }
    });
    commands.addCommand(CommandIDs.explainCell, {
      label: trans.__('Explain This Cell'),
      caption: trans.__('Ask Claude to explain this cell and its output'),
      isEnabled: hasCell,
      execute: async () => {
        const cell = activeCell();
        if (cell) {
          attach(cell);
          await ask(cellQuestion('explain', cell), true);
        }
      }
    });
    commands.addCommand(CommandIDs.fixError, {
      label: trans.__('Fix This Error'),
      caption: trans.__('Ask Claude for the cause of this error and a fix'),
      isVisible: () => errorOf() !== null,
      isEnabled: () => errorOf() !== null,
      execute: async () => {
        const cell = activeCell();
        const error = errorOf();
        if (cell && error) {
          attach(cell);
          await ask(cellQuestion('fix', cell, error), true);
        }
      }
    });
    commands.addCommand(CommandIDs.continueFromHere, {
      label: trans.__('Continue the Analysis From Here'),
      caption: trans.__('Ask Claude to propose the next cell'),
      isEnabled: hasCell,
      execute: async () => {
        const cell = activeCell();
        if (cell) {
          attach(cell);
          await ask(cellQuestion('continue', cell), true);
        }
      }
    });
    const firstPending = () => sessions.proposals()?.proposals.find(p => p.status === 'pending') ?? null;
    commands.addCommand(CommandIDs.acceptProposal, {
      label: trans.__('Accept Claude Proposal'),
      caption: trans.__('Accept the first proposal waiting in this notebook'),
      isEnabled: () => firstPending() !== null,
      execute: async () => {
        const proposal = firstPending();
        if (proposal) {
          await sessions.proposals()?.accept(proposal.id);
        }
      }
    });
    commands.addCommand(CommandIDs.rejectProposal, {
      label: trans.__('Reject Claude Proposal'),
      caption: trans.__('Reject the first proposal waiting in this notebook'),
      isEnabled: () => firstPending() !== null,
      execute: () => {
        const proposal = firstPending();
        if (proposal) {
          sessions.proposals()?.reject(proposal.id);
        }
      }
    });
    commands.addCommand(CommandIDs.proposeCode, {
      label: args => (args.mode === 'replace' ? trans.__('Replace Active Cell') : trans.__('Insert Below')),
      caption: trans.__('Propose this code for the notebook; it changes only if you accept'),
      isEnabled: () => activeCell() !== null && !!sessions.proposals(),
      execute: args => {
        const cell = activeCell();
        const queue = sessions.proposals();
        if (!cell || !queue) {
          return;
        }
        const replace = args.mode === 'replace';
        // A proposal like any other: a card to review; nothing waits on its outcome.
        void queue.propose(
          replace ? 'replace' : 'insert',
          { cell_id: cell.id, cell_type: 'code', source: String(args.source ?? '') },
          { toolUseId: '', model: registry.settings.model, requestId: null }
        );
      }
    });
    if (palette) {
      const category = trans.__('Claude');
      for (const command of [
        CommandIDs.acceptProposal,
        CommandIDs.rejectProposal,
        CommandIDs.askAboutCell,
        CommandIDs.explainCell,
        CommandIDs.fixError,
        CommandIDs.continueFromHere
      ]) {
        palette.addItem({ command, category });
      }
    }
  }
};
