/*
 * Wiring: the admin policy (IClaudePolicy) read from the server, today's use in the status bar,
 * and the policy note and usage line under the chat.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { IToolRegistry } from '../agent/tokens';
import { LazyConversations } from '../claude/lazy';
import { IConversationRegistry } from '../claude/tokens';
import type { IChatTurn, IConversation } from '../claude/tokens';
import { IClaudePanelViews } from '../panel/tokens';
import { LazyWidget } from '../panel/lazy';
import { UsageStatus } from '../panel/usageStatus';
import { TRANSLATION_DOMAIN } from '../translation';
import { PolicyModel } from '../usage/policy';
import { IClaudePolicy } from '../usage/tokens';

/**
 * Provides the admin policy; shows today's use in the status bar and the chat's usage in the panel.
 */
export const usagePlugin: JupyterFrontEndPlugin<IClaudePolicy> = {
  id: 'jupyterlab-claude:usage',
  description: "The administrator's policy for Claude on this server, and the tokens and cost of its use.",
  autoStart: true,
  provides: IClaudePolicy,
  optional: [IToolRegistry, IConversationRegistry, IStatusBar, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    tools: IToolRegistry | null,
    registry: IConversationRegistry | null,
    statusBar: IStatusBar | null,
    translator: ITranslator | null
  ): IClaudePolicy => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const policy = new PolicyModel({ serverSettings: app.serviceManager.serverSettings });
    if (tools) {
      // The server refuses a request offering a disabled tool; the panel does not offer it.
      tools.withhold(tool => policy.withholds(tool));
      tools.decided.connect((_, d) => {
        if (policy.policy.audit) {
          const event = { tool: d.tool, kind: d.kind, toolUseId: d.toolUseId, notebook: d.notebookPath };
          policy.recordApproval({ ...event, decision: d.decision }).catch(error => {
            console.warn('Claude: the audit log did not record a decision:', error);
          });
        }
      });
    }
    if (statusBar) {
      statusBar.registerStatusItem('jupyterlab-claude:usage', {
        item: new UsageStatus({ policy, trans }),
        align: 'left',
        rank: 900,
        isActive: () => !!policy.today
      });
    }
    if (registry) {
      Private.refreshAfterAnswers(registry, policy);
    }
    return policy;
  }
};

/**
 * The policy note and the chat's usage line under the chat (a separate plugin: the panel
 * plugin uses the policy, and this uses the panel's views).
 */
export const usageAreaPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-claude:usage-area',
  description: "The administrator's policy and the chat's tokens and cost, under the chat.",
  autoStart: true,
  requires: [IClaudePolicy, IConversationRegistry, IClaudePanelViews],
  optional: [ITranslator],
  activate: (
    _app: JupyterFrontEnd,
    policy: IClaudePolicy,
    registry: IConversationRegistry,
    views: IClaudePanelViews,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    // Its code loads with the chat, not at start-up.
    views.addArea(
      new LazyWidget(async () => {
        const [{ UsageArea }] = await Promise.all([
          import(/* webpackChunkName: "claude-usage" */ '../panel/usageArea'),
          LazyConversations.whenLoaded(registry)
        ]);
        return new UsageArea({ policy, registry, trans });
      })
    );
  }
};

namespace Private {
  /**
   * Ask the server for today's use again whenever an answer in focus ends.
   */
  export function refreshAfterAnswers(registry: IConversationRegistry, policy: IClaudePolicy): void {
    const streaming = new WeakSet<IChatTurn>();
    const onChange = (_: IConversation, turn: IChatTurn | null) => {
      if (!turn || turn.role !== 'assistant') {
        return;
      }
      if (turn.status === 'streaming') {
        streaming.add(turn);
      } else if (streaming.has(turn)) {
        streaming.delete(turn);
        void policy.refresh();
      }
    };
    let current = registry.current;
    current.changed.connect(onChange);
    registry.currentChanged.connect((_, next) => {
      current.changed.disconnect(onChange);
      current = next;
      current.changed.connect(onChange);
    });
  }
}
