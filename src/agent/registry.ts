/*
 * The tool registry: every tool Claude may call, one object each, and the one place that
 * decides from a tool's kind whether a notebook offers it and what a call must wait for.
 */
import type { IDisposable } from '@lumino/disposable';
import { DisposableDelegate } from '@lumino/disposable';
import { Signal } from '@lumino/signaling';
import { cellIdOf } from '../context/cellId';
import { OUTSIDE_READ_TOOLS, offersInMode, type PermissionMode } from './modes';
import type {
  IClaudeTools,
  ITool,
  IToolCallContext,
  IToolCallInfo,
  IToolContext,
  IToolDefinition,
  IToolRegistry,
  IToolResult
} from './tokens';

/**
 * The names the Messages API takes for a tool.
 */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Every tool Claude may call.
 */
export class ToolRegistry implements IToolRegistry {
  get tools(): ReadonlyArray<ITool> {
    return this._tools;
  }

  get changed(): Signal<this, IToolRegistry.IChange> {
    return this._changed;
  }

  register(tool: ITool): IDisposable {
    if (!TOOL_NAME.test(tool.name)) {
      throw new Error(`Cannot register the tool "${tool.name}": a tool name is 1 to 64 letters, digits, _ or -.`);
    }
    if (this._tools.some(other => other.name === tool.name)) {
      throw new Error(`Cannot register the tool "${tool.name}": a tool with that name is already registered.`);
    }
    this._tools.push(tool);
    this._changed.emit({ type: 'added', tool });
    return new DisposableDelegate(() => {
      const index = this._tools.indexOf(tool);
      if (index >= 0) {
        this._tools.splice(index, 1);
        this._changed.emit({ type: 'removed', tool });
      }
    });
  }

  toolsFor(context: IToolContext): IClaudeTools {
    return new Private.NotebookTools(this, context);
  }

  get decided(): Signal<this, IToolRegistry.IDecision> {
    return this._decided;
  }

  withhold(rule: (tool: ITool) => boolean): IDisposable {
    this._rules.push(rule);
    return new DisposableDelegate(() => {
      const index = this._rules.indexOf(rule);
      if (index >= 0) {
        this._rules.splice(index, 1);
      }
    });
  }

  /**
   * Whether a rule withholds a tool (read at every request, so a rule follows what it reads).
   */
  isWithheld(tool: ITool): boolean {
    return this._rules.some(rule => rule(tool));
  }

  private _tools: ITool[] = [];
  private _rules: Array<(tool: ITool) => boolean> = [];
  private _changed = new Signal<this, IToolRegistry.IChange>(this);
  private _decided = new Signal<this, IToolRegistry.IDecision>(this);
}

/**
 * Whether a notebook with this context offers a tool in a permission mode: the mode must offer
 * it (Plan offers only reading and planning), and the approval its kind needs must exist there
 * (a proposal queue for write and run tools, an approval function for external ones).
 */
export function isOffered(tool: ITool, context: IToolContext, mode: PermissionMode = 'ask'): boolean {
  if (!offersInMode(mode, tool)) {
    return false;
  }
  switch (tool.kind) {
    case 'read':
      break;
    case 'write':
    case 'run':
      if (!context.proposals) {
        return false;
      }
      break;
    case 'external':
      if (!context.approve) {
        return false;
      }
      break;
    default:
      return false;
  }
  return tool.isAvailable ? tool.isAvailable(context) : true;
}

namespace Private {
  let loading: Promise<typeof import('./result')> | null = null;

  /**
   * Bounding and redacting results, loaded with the first call.
   */
  export function result(): Promise<typeof import('./result')> {
    if (!loading) {
      loading = import(/* webpackChunkName: "claude-tools" */ './result');
      loading.catch(() => (loading = null));
    }
    return loading;
  }

  /**
   * The tools of one notebook, read from the registry at each call (tools come and go).
   */
  export class NotebookTools implements IClaudeTools {
    constructor(
      private readonly _registry: ToolRegistry,
      private readonly _context: IToolContext
    ) {}

    definitions(options: { mode?: PermissionMode } = {}): IToolDefinition[] {
      return this._offered(options.mode).map(tool => ({
        name: tool.name,
        description: tool.description,
        input_schema: tool.input_schema
      }));
    }

    describe(name: string, input: unknown): string {
      const tool = this._registry.tools.find(t => t.name === name);
      if (!tool) {
        return name;
      }
      try {
        return tool.describe(args(input), this._callContext(undefined));
      } catch {
        return name;
      }
    }

    async run(name: string, input: unknown, call?: IToolCallInfo): Promise<IToolResult> {
      const { boundResult } = await Private.result();
      const tool = this._offered(call?.mode).find(t => t.name === name);
      if (!tool) {
        return boundResult({ content: `There is no tool named ${name}.`, isError: true });
      }
      if (call?.task && (tool.kind === 'external' || OUTSIDE_READ_TOOLS.includes(tool.name))) {
        // What comes back is from outside the notebook: from now on every run asks.
        call.task.outsideContent = true;
      }
      const context = this._callContext(call);
      try {
        if (tool.kind === 'external') {
          // Offered only with an approval function; the handler runs only once it says yes.
          const approved = await context.approve?.({
            tool: tool.name,
            summary: this.describe(name, input),
            input,
            call: context.call
          });
          this._decide(tool, context, approved === true ? 'accepted' : 'rejected');
          if (approved !== true) {
            const reason = typeof approved === 'object' && approved?.reason ? ` Their reason: ${approved.reason}` : '';
            return boundResult({
              content: `The scientist did not allow this call of ${name}.${reason}`,
              isError: true
            });
          }
        }
        // Write and run tools hand their change to the proposal queue: the result is the
        // scientist's decision, so it too waits for their click.
        const result = await tool.handler(args(input), context);
        if (tool.kind === 'write' || tool.kind === 'run') {
          const proposal = context.proposals?.proposals.find(p => p.toolUseId === context.call.toolUseId);
          const status = proposal?.status ?? (result.isError ? 'failed' : 'accepted');
          this._decide(tool, context, decisionOf(status, !!proposal?.edited));
        }
        return boundResult(result);
      } catch (error) {
        return boundResult({ content: error instanceof Error ? error.message : String(error), isError: true });
      }
    }

    private _decide(tool: ITool, context: IToolCallContext, decision: IToolRegistry.IDecision['decision']): void {
      this._registry.decided.emit({
        tool: tool.name,
        kind: tool.kind,
        toolUseId: context.call.toolUseId,
        notebookPath: context.notebookPath?.() ?? '',
        decision
      });
    }

    cancelPending(): void {
      this._context.proposals?.cancelPending();
      this._context.hypotheses?.cancelPending();
      this._context.plans?.cancelPending();
      this._context.cancelApprovals?.();
    }

    private _offered(mode: PermissionMode = 'ask'): ITool[] {
      const registry = this._registry;
      return registry.tools.filter(tool => isOffered(tool, this._context, mode) && !registry.isWithheld(tool));
    }

    private _callContext(call: IToolCallInfo | undefined): IToolCallContext {
      const context = this._context;
      return {
        notebook: () => context.notebook(),
        kernel: () => context.kernel(),
        notebookDir: () => context.notebookDir(),
        notebookPath: context.notebookPath ? () => context.notebookPath?.() ?? '' : undefined,
        inspectVariable: (kernel, request) => context.inspectVariable(kernel, request),
        files: (route, params) => context.files(route, params),
        proposals: context.proposals,
        hypotheses: context.hypotheses,
        plans: context.plans,
        approve: context.approve,
        cancelApprovals: context.cancelApprovals ? () => context.cancelApprovals?.() : undefined,
        call: {
          toolUseId: call?.toolUseId ?? '',
          model: call?.model ?? '',
          requestId: call?.requestId ?? null,
          mode: call?.mode,
          task: call?.task,
          setMode: call?.setMode
        },
        cellLabel: cellId => cellLabel(context, cellId)
      };
    }
  }

  function decisionOf(status: string, edited: boolean): IToolRegistry.IDecision['decision'] {
    if (status === 'accepted') {
      return edited ? 'edited' : 'accepted';
    }
    return status === 'rejected' ? 'rejected' : 'failed';
  }

  function args(input: unknown): Record<string, unknown> {
    return input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  }

  function cellLabel(context: IToolContext, cellId: string): string {
    const index = context.notebook()?.cells.findIndex((cell, i) => cellIdOf(cell, i) === cellId) ?? -1;
    return index >= 0 ? `#${index + 1}` : cellId;
  }
}
