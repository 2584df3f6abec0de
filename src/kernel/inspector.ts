/*
 * Asking a live kernel for summaries of its variables: one silent, history-free execute
 * request per inspection, bounded in time, never interrupting the kernel.
 *
 * The reply comes back as one JSON line on stdout. A `silent: true, store_history: false`
 * request still sends its stream output on iopub, but only to this request's future: a
 * notebook's output area shows only its own requests' output, the execution count does not
 * move and nothing enters the history. (`user_expressions` would need a name in the user's
 * namespace to evaluate and returns a Python repr, not JSON.) `stop_on_error` cannot abort the
 * user's queued cells: ipykernel aborts the queue only after a failed non-silent request.
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { pythonInspector } from './python';
import { parseReplyText, toInspection, toVariableDetail } from './reply';
import {
  DEFAULT_LIMITS,
  type IInspectionFailure,
  type IInspectionLimits,
  type IKernelLanguageInspector,
  type IVariableRequest,
  type KernelInspectionResult,
  type KernelVariableResult
} from './types';

/**
 * Inspects kernels with the inspector registered for their language.
 */
export class KernelInspector {
  constructor(options: KernelInspector.IOptions = {}) {
    this._timeoutMs = options.timeoutMs ?? 10000;
    this._busyWaitMs = options.busyWaitMs ?? 5000;
    this._limits = { ...DEFAULT_LIMITS, ...options.limits };
    for (const inspector of options.languages ?? [pythonInspector]) {
      this._languages.set(inspector.language.toLowerCase(), inspector);
    }
  }

  /**
   * Languages with an inspector.
   */
  get languages(): string[] {
    return [...this._languages.keys()];
  }

  /**
   * Summaries of every user variable.
   */
  async inspect(
    kernel: Kernel.IKernelConnection | null | undefined,
    limits: Partial<IInspectionLimits> = {}
  ): Promise<KernelInspectionResult> {
    const all = { ...this._limits, ...limits };
    const answer = await this._run(kernel, language => language.listCode(all));
    return answer.ok ? toInspection(answer.reply) : answer;
  }

  /**
   * One variable in more depth: more columns, a row slice, one column's statistics.
   */
  async inspectVariable(
    kernel: Kernel.IKernelConnection | null | undefined,
    request: IVariableRequest,
    limits: Partial<IInspectionLimits> = {}
  ): Promise<KernelVariableResult> {
    const all = { ...this._limits, ...limits };
    const answer = await this._run(kernel, language => language.variableCode(request, all));
    return answer.ok ? toVariableDetail(answer.reply) : answer;
  }

  private async _run(
    kernel: Kernel.IKernelConnection | null | undefined,
    code: (language: IKernelLanguageInspector) => string | Promise<string>
  ): Promise<{ ok: true; reply: Record<string, any> } | IInspectionFailure> {
    if (!kernel) {
      return failure('no-kernel', 'This notebook has no kernel, so there is no live data to look at.');
    }
    if (kernel.isDisposed || kernel.status === 'dead') {
      return failure('dead', 'The kernel is not running (it died or was shut down).');
    }
    const started = Date.now();
    const ready = await Private.waitUntilIdle(kernel, this._busyWaitMs);
    if (ready !== 'idle') {
      return ready === 'dead'
        ? failure('dead', 'The kernel is not running (it died or was shut down).')
        : ready === 'restarting'
          ? failure(
              'restarting',
              'The kernel is starting or restarting (it may have died); its variables were not inspected, and a restarted kernel has none.'
            )
          : failure(
              'busy',
              `The kernel stayed busy for ${seconds(this._busyWaitMs)}; its variables were not inspected.`
            );
    }
    const info = await Private.withTimeout(kernel.info, this._timeoutMs - (Date.now() - started));
    if (info === Private.TIMED_OUT) {
      return failure('timeout', `The kernel did not say which language it runs within ${seconds(this._timeoutMs)}.`);
    }
    const name = (info.language_info?.name ?? '').toLowerCase();
    const language = this._languages.get(name);
    if (!language) {
      return {
        ...failure(
          'not-python',
          `Inspecting variables is not available for ${name || 'this kernel'}'s language (only ${this.languages.join(', ')}).`
        ),
        language: name
      };
    }
    const source = await code(language);
    return Private.execute(kernel, source, this._timeoutMs - (Date.now() - started));
  }

  private _timeoutMs: number;
  private _busyWaitMs: number;
  private _limits: IInspectionLimits;
  private _languages = new Map<string, IKernelLanguageInspector>();
}

export namespace KernelInspector {
  export interface IOptions {
    /** Per-language inspectors; Python by default. */
    languages?: IKernelLanguageInspector[];
    /** Longest wait for the reply, all steps included (ms). We then stop waiting; the kernel is not interrupted. */
    timeoutMs?: number;
    /** Longest wait for a busy kernel to become idle before asking (ms). */
    busyWaitMs?: number;
    /** Caps applied in the kernel. */
    limits?: Partial<IInspectionLimits>;
  }
}

function failure(reason: IInspectionFailure['reason'], message: string): IInspectionFailure {
  return { ok: false, reason, message };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

namespace Private {
  export const TIMED_OUT = Symbol('timed out');

  export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<typeof TIMED_OUT>(resolve => {
      timer = setTimeout(() => resolve(TIMED_OUT), Math.max(ms, 0));
    });
    try {
      return await Promise.race([promise, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  const WAITING: ReadonlySet<Kernel.Status> = new Set<Kernel.Status>([
    'busy',
    'starting',
    'restarting',
    'autorestarting',
    'unknown'
  ]);

  /**
   * Wait for the kernel to be idle: 'idle', 'dead', or 'busy' / 'restarting' if it stayed so too long.
   * A kernel whose status is still unknown when the wait ends is asked anyway.
   */
  export async function waitUntilIdle(
    kernel: Kernel.IKernelConnection,
    ms: number
  ): Promise<'idle' | 'dead' | 'busy' | 'restarting'> {
    const state = (status: Kernel.Status) =>
      status === 'dead' || status === 'terminating' || kernel.isDisposed ? 'dead' : WAITING.has(status) ? null : 'idle';
    const now = state(kernel.status);
    if (now) {
      return now;
    }
    let onChange: ((sender: Kernel.IKernelConnection, status: Kernel.Status) => void) | undefined;
    const settled = new Promise<'idle' | 'dead'>(resolve => {
      onChange = (_: Kernel.IKernelConnection, status: Kernel.Status) => {
        const s = state(status);
        if (s) {
          resolve(s);
        }
      };
      kernel.statusChanged.connect(onChange);
    });
    const result = await withTimeout(settled, ms);
    if (!kernel.isDisposed) {
      kernel.statusChanged.disconnect(onChange!);
    }
    if (result !== TIMED_OUT) {
      return result;
    }
    if (kernel.status === 'starting' || kernel.status === 'restarting' || kernel.status === 'autorestarting') {
      return 'restarting';
    }
    return kernel.status === 'unknown' ? 'idle' : 'busy';
  }

  export async function execute(
    kernel: Kernel.IKernelConnection,
    code: string,
    ms: number
  ): Promise<{ ok: true; reply: Record<string, any> } | IInspectionFailure> {
    let stdout = '';
    let future: Kernel.IShellFuture<KernelMessage.IExecuteRequestMsg, KernelMessage.IExecuteReplyMsg>;
    try {
      future = kernel.requestExecute({
        code,
        silent: true,
        store_history: false,
        allow_stdin: false,
        stop_on_error: true
      });
    } catch (error) {
      return failure(
        kernel.status === 'dead' || kernel.isDisposed ? 'dead' : 'error',
        `Could not send the inspection request: ${error}`
      );
    }
    future.onIOPub = msg => {
      if (msg.header.msg_type === 'stream') {
        const content = (msg as KernelMessage.IStreamMsg).content;
        if (content.name === 'stdout') {
          stdout += content.text;
        }
      }
    };
    const done = future.done.then(
      reply => ({ reply }),
      (error: unknown) => ({ error })
    );
    const outcome = await withTimeout(done, ms);
    if (outcome === TIMED_OUT) {
      future.dispose(); // stop listening; the kernel finishes the request on its own
      return failure(
        'timeout',
        `The kernel did not finish the inspection within ${seconds(ms)}; it was not interrupted.`
      );
    }
    if ('error' in outcome) {
      const dead = kernel.isDisposed || kernel.status === 'dead';
      // A restart cancels every request in flight: the kernel died or was restarted meanwhile.
      const restarted =
        /Canceled future/i.test(String(outcome.error)) ||
        ['starting', 'restarting', 'autorestarting'].includes(kernel.status);
      if (dead || restarted) {
        return failure(
          dead ? 'dead' : 'restarting',
          'The kernel stopped or restarted during the inspection; its variables were not read.'
        );
      }
      return failure('error', `The inspection request failed: ${outcome.error}`);
    }
    const content = outcome.reply.content;
    if (content.status !== 'ok') {
      const detail = content.status === 'error' ? `${content.ename}: ${content.evalue}` : content.status;
      return failure('error', `The inspector failed in the kernel: ${detail}`);
    }
    return parseReplyText(stdout);
  }
}
