/*
 * Every command of the extension: its id and its registration, in one place. Shortcuts and
 * context-menu entries that use them are declared in `schema/`.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { ICommandPalette } from '@jupyterlab/apputils';
import type { ICodeCellModel } from '@jupyterlab/cells';
import type { IError } from '@jupyterlab/nbformat';
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';
import { cellQuestion, type ICellRef } from './claude/prompts';
import type { IConversationRegistry } from './claude/tokens';
import type { ClaudeSidebar } from './panel/shell';
import type { IProposalQueue } from './proposals/tokens';
import type { INotebookSessions } from './session/tokens';

export namespace CommandIDs {
  /** Open the Claude panel and focus its message box. */
  export const openPanel = 'claude:open-panel';
  /** Start a new chat for the notebook in focus. */
  export const newChat = 'claude:new-chat';
  /** Stop the answer that is streaming. */
  export const stop = 'claude:stop';
  /** Put a question in the panel's message box (args: text, send). */
  export const draft = 'claude:draft';
  /** Accept the first proposal waiting in the notebook in focus. */
  export const acceptProposal = 'claude:accept-proposal';
  /** Reject the first proposal waiting in the notebook in focus. */
  export const rejectProposal = 'claude:reject-proposal';
  /** Turn a code block of an answer into a proposal (args: source, mode 'insert' | 'replace'). */
  export const proposeCode = 'claude:propose-code';
  /** Ask about the active cell (fills the message box, does not send). */
  export const askAboutCell = 'claude:ask-about-cell';
  /** Explain the active cell. */
  export const explainCell = 'claude:explain-cell';
  /** Find the cause of the active cell's error and propose a fix. */
  export const fixError = 'claude:fix-error';
  /** Propose the next cell of the analysis after the active one. */
  export const continueFromHere = 'claude:continue-from-here';
  /** Show the hypothesis ledger of the notebook in focus. */
  export const showHypotheses = 'claude:show-hypotheses';
}

/**
 * What the commands act on.
 */
export interface ICommandsOptions {
  /** The Claude panel: its message box and its ledger (the chat loads when first needed). */
  panel: Pick<ClaudeSidebar, 'id' | 'focusInput' | 'showLedger'> & {
    content(): Promise<{ input: ClaudeSidebar.IInput }>;
  };
  registry: IConversationRegistry;
  /** The notebooks and what Claude keeps for each; without them there are no cell actions. */
  tracker: INotebookTracker | null;
  sessions: INotebookSessions | null;
  palette: ICommandPalette | null;
  trans: TranslationBundle;
}

/**
 * Register every command, and the palette entries.
 */
export function addCommands(app: JupyterFrontEnd, options: ICommandsOptions): void {
  const { commands, shell } = app;
  const { panel, registry, trans } = options;
  const show = () => {
    shell.activateById(panel.id);
    panel.focusInput();
  };
  commands.addCommand(CommandIDs.openPanel, {
    label: trans.__('Open Claude Panel'),
    caption: trans.__('Open the Claude side panel'),
    execute: show
  });
  commands.addCommand(CommandIDs.draft, {
    label: trans.__('Ask Claude'),
    describedBy: { args: { type: 'object', properties: { text: { type: 'string' }, send: { type: 'boolean' } } } },
    execute: async args => {
      const { input } = await panel.content();
      input.value = String(args.text ?? '');
      if (args.send === true) {
        input.send();
      } else {
        panel.focusInput();
      }
    }
  });
  commands.addCommand(CommandIDs.newChat, {
    label: trans.__('New Claude Chat'),
    caption: trans.__('Start a new chat for the notebook in focus'),
    execute: () => {
      registry.current.clear();
      show();
    }
  });
  commands.addCommand(CommandIDs.showHypotheses, {
    label: trans.__('Show Hypothesis Ledger'),
    caption: trans.__('The hypotheses of the notebook in focus, their evidence and corrected verdicts'),
    execute: () => {
      shell.activateById(panel.id);
      panel.showLedger(true);
    }
  });
  commands.addCommand(CommandIDs.stop, {
    label: trans.__('Stop Claude'),
    caption: trans.__('Stop the answer that is streaming, keeping what arrived'),
    isEnabled: () => registry.current.isBusy,
    execute: () => registry.current.stop()
  });
  const inPalette = [CommandIDs.openPanel, CommandIDs.newChat, CommandIDs.stop, CommandIDs.showHypotheses];
  if (options.tracker && options.sessions) {
    inPalette.push(...Private.addNotebookCommands(app, options, options.tracker, options.sessions));
  }
  const category = trans.__('Claude');
  for (const command of inPalette) {
    options.palette?.addItem({ command, category });
  }
}

namespace Private {
  /**
   * A cell action: a question about the cell, asked with the cell attached.
   */
  interface ICellAction {
    id: string;
    label: string;
    caption: string;
    /** Only for a cell whose output holds an error (and shown only then). */
    needsError?: boolean;
    /** Send at once, or leave the question in the message box to finish. */
    send: boolean;
    question: (cell: ICellRef, error: IError | null) => string;
  }

  /**
   * The cell actions and the proposal commands; returns those for the palette.
   */
  export function addNotebookCommands(
    app: JupyterFrontEnd,
    options: ICommandsOptions,
    tracker: INotebookTracker,
    sessions: INotebookSessions
  ): string[] {
    const { commands } = app;
    const { panel, registry, trans } = options;
    const proposals = () => sessions.proposals();
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

    const actions: ICellAction[] = [
      {
        id: CommandIDs.askAboutCell,
        label: trans.__('Ask Claude About This Cell'),
        caption: trans.__('Open the Claude panel with this cell attached'),
        send: false,
        question: cell => trans.__('About cell #%1: ', cell.index + 1)
      },
      {
        id: CommandIDs.explainCell,
        label: trans.__('Explain This Cell'),
        caption: trans.__('Ask Claude to explain this cell and its output'),
        send: true,
        question: cell => cellQuestion('explain', cell)
      },
      {
        id: CommandIDs.fixError,
        label: trans.__('Fix This Error'),
        caption: trans.__('Ask Claude for the cause of this error and a fix'),
        needsError: true,
        send: true,
        question: (cell, error) => cellQuestion('fix', cell, error!)
      },
      {
        id: CommandIDs.continueFromHere,
        label: trans.__('Continue the Analysis From Here'),
        caption: trans.__('Ask Claude to propose the next cell'),
        send: true,
        question: cell => cellQuestion('continue', cell)
      }
    ];
    for (const action of actions) {
      const ready = action.needsError ? () => errorOf() !== null : () => activeCell() !== null;
      commands.addCommand(action.id, {
        label: action.label,
        caption: action.caption,
        isEnabled: ready,
        isVisible: action.needsError ? ready : undefined,
        execute: async () => {
          const cell = activeCell();
          const error = errorOf();
          if (!cell || (action.needsError && !error)) {
            return;
          }
          // The cell goes with the question (and with later ones, until removed from the chips).
          (await panel.content()).input.attach([cell.id]);
          await commands.execute(CommandIDs.openPanel);
          await commands.execute(CommandIDs.draft, { text: action.question(cell, error), send: action.send });
        }
      });
    }

    const firstPending = () => proposals()?.proposals.find(p => p.status === 'pending') ?? null;
    const decisions: Array<[string, string, string, (queue: IProposalQueue, id: string) => Promise<void> | void]> = [
      [
        CommandIDs.acceptProposal,
        trans.__('Accept Claude Proposal'),
        trans.__('Accept the first proposal waiting in this notebook'),
        (queue, id) => queue.accept(id)
      ],
      [
        CommandIDs.rejectProposal,
        trans.__('Reject Claude Proposal'),
        trans.__('Reject the first proposal waiting in this notebook'),
        (queue, id) => queue.reject(id)
      ]
    ];
    for (const [id, label, caption, decide] of decisions) {
      commands.addCommand(id, {
        label,
        caption,
        isEnabled: () => firstPending() !== null,
        execute: async () => {
          const queue = proposals();
          const proposal = firstPending();
          if (queue && proposal) {
            await decide(queue, proposal.id);
          }
        }
      });
    }
    commands.addCommand(CommandIDs.proposeCode, {
      label: args => (args.mode === 'replace' ? trans.__('Replace Active Cell') : trans.__('Insert Below')),
      caption: trans.__('Propose this code for the notebook; it changes only if you accept'),
      isEnabled: () => activeCell() !== null && !!proposals(),
      execute: args => {
        const cell = activeCell();
        const queue = proposals();
        if (!cell || !queue) {
          return;
        }
        // A proposal like any other: a card to review; nothing waits on its outcome.
        void queue.propose(
          args.mode === 'replace' ? 'replace' : 'insert',
          { cell_id: cell.id, cell_type: 'code', source: String(args.source ?? '') },
          { toolUseId: '', model: registry.settings.model, requestId: null }
        );
      }
    });
    return [
      CommandIDs.acceptProposal,
      CommandIDs.rejectProposal,
      CommandIDs.askAboutCell,
      CommandIDs.explainCell,
      CommandIDs.fixError,
      CommandIDs.continueFromHere
    ];
  }
}
