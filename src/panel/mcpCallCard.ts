/*
 * The card of a call Claude makes of an MCP tool: server, tool and the exact arguments, with
 * Accept and Reject (the reason goes back to Claude) like a proposal; then its progress with
 * Cancel, then its result (collapsible) with Save, which keeps it beside the notebook and
 * proposes a cell that loads it.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Panel, Widget } from '@lumino/widgets';
import { resultText } from '../mcp/results';
import type { IMcpCall, IMcpCalls } from '../mcp/tokens';
import { CardClass, rejectReasonInput, statusLine, styledButton } from './card';

/**
 * How much of a result the card shows (the whole is in the saved file).
 */
const SHOWN_RESULT_CHARS = 20000;

/**
 * One call's card.
 */
export class McpCallCard extends Widget {
  constructor(options: McpCallCard.IOptions) {
    super();
    this._options = options;
    this.addClass(CardClass.card);
    this.addClass('jp-Claude-mcpCall');
    this.node.setAttribute('role', 'group');
    this._build(options.call);
    this.render(options.call);
  }

  render(call: IMcpCall): void {
    const trans = this._options.trans;
    this.node.dataset.status = call.status;
    this.node.dataset.callId = call.id;
    const status = this._status;
    this._footer.textContent = '';
    this._progress.hidden = call.status !== 'running';
    if (call.status === 'pending') {
      const reason = rejectReasonInput(trans);
      this._footer.append(
        styledButton(trans.__('Accept'), 'jp-mod-accept', () => this._options.calls.accept(call.id)),
        reason,
        styledButton(trans.__('Reject'), 'jp-mod-reject', () => this._options.calls.reject(call.id, reason.value))
      );
      status.textContent = trans.__('Waiting for you: nothing reaches the server before Accept.');
    } else if (call.status === 'running') {
      const p = call.progress;
      if (p && p.total) {
        this._bar.max = p.total;
        this._bar.value = p.progress;
      } else {
        this._bar.removeAttribute('value');
      }
      this._progressText.textContent = p?.message ?? trans.__('Running…');
      this._footer.append(
        styledButton(trans.__('Cancel'), 'jp-mod-warn', () => void this._options.calls.cancel(call.id))
      );
      status.textContent = call.allowed ? trans.__('Running (allowed in this notebook)') : trans.__('Running');
    } else {
      status.textContent = this._statusText(call);
      if (call.result) {
        this._renderResult(call);
      }
    }
    this._footer.prepend(status);
  }

  private _statusText(call: IMcpCall): string {
    const trans = this._options.trans;
    switch (call.status) {
      case 'done':
        return trans.__('Done');
      case 'error':
        return call.result ? trans.__('The tool reported an error') : trans.__('Failed: %1', call.reason ?? '');
      case 'rejected':
        return call.reason ? trans.__('Rejected: %1', call.reason) : trans.__('Rejected');
      case 'cancelled':
        return trans.__('Cancelled');
      default:
        return '';
    }
  }

  private _build(call: IMcpCall): void {
    const trans = this._options.trans;
    const title = document.createElement('div');
    title.className = CardClass.title;
    title.textContent = trans.__('Call %1 on %2', call.tool, call.server);
    this.node.setAttribute('aria-label', title.textContent);
    const body = document.createElement('div');
    body.className = CardClass.body;
    const args = document.createElement('pre');
    args.className = 'jp-Claude-mcpArguments';
    args.setAttribute('aria-label', trans.__('Arguments'));
    // The exact arguments, as they would be sent.
    args.textContent = JSON.stringify(call.arguments, null, 2);
    body.append(args);
    this._progress.className = 'jp-Claude-mcpProgress';
    this._bar.className = 'jp-Claude-mcpProgressBar';
    this._bar.setAttribute('aria-label', trans.__('Progress'));
    this._progressText.className = 'jp-Claude-mcpProgressText';
    this._progress.append(this._bar, this._progressText);
    this._result.className = 'jp-Claude-mcpResult';
    this._result.hidden = true;
    this._footer.className = CardClass.footer;
    this.node.append(title, body, this._progress, this._result, this._footer);
  }

  private _renderResult(call: IMcpCall): void {
    const trans = this._options.trans;
    const result = call.result!;
    const box = this._result;
    box.hidden = false;
    if (!box.firstChild) {
      const details = document.createElement('details');
      const summary = document.createElement('summary');
      summary.textContent = result.isError ? trans.__('Error result') : trans.__('Result');
      const text = resultText(result);
      const pre = document.createElement('pre');
      pre.textContent =
        text.length > SHOWN_RESULT_CHARS
          ? `${text.slice(0, SHOWN_RESULT_CHARS)}\n… ${trans.__('(%1 more characters)', text.length - SHOWN_RESULT_CHARS)}`
          : text;
      details.append(summary, pre);
      for (const block of result.content ?? []) {
        if (block.type === 'image' && block.data && /^image\/(png|jpeg|gif|webp)$/.test(block.mimeType ?? '')) {
          const img = document.createElement('img');
          img.className = 'jp-Claude-mcpImage';
          img.alt = trans.__('An image from %1', call.tool);
          img.src = `data:${block.mimeType};base64,${block.data}`;
          details.append(img);
        }
      }
      box.append(details, this._saveLine);
      this._saveLine.className = 'jp-Claude-mcpSave';
    }
    const line = this._saveLine;
    line.textContent = '';
    if (call.saved) {
      line.append(statusLine(trans.__('Saved to %1', call.saved)));
    } else if (!result.isError) {
      const save = styledButton(trans.__('Save beside the notebook'), '', async () => {
        save.disabled = true;
        try {
          const path = await this._options.calls.save(call.id);
          this._options.onSaved?.(call, path);
        } catch (error) {
          save.disabled = false;
          line.append(statusLine(trans.__('Not saved: %1', error instanceof Error ? error.message : String(error))));
        }
      });
      save.title = trans.__('Keep this result as a JSON file in mcp-data/ and propose a cell that loads it');
      line.append(save);
    }
  }

  private _options: McpCallCard.IOptions;
  private _status = statusLine();
  private _progress = document.createElement('div');
  private _bar = document.createElement('progress');
  private _progressText = document.createElement('span');
  private _result = document.createElement('div');
  private _saveLine = document.createElement('div');
  private _footer = document.createElement('div');
}

export namespace McpCallCard {
  export interface IOptions {
    call: IMcpCall;
    calls: IMcpCalls;
    trans: TranslationBundle;
    /** A result was saved: propose the cell that loads it. */
    onSaved?: (call: IMcpCall, path: string) => void;
  }
}

/**
 * The MCP call cards of the notebook in focus.
 */
export class McpCallArea extends Panel {
  constructor(options: McpCallArea.IOptions) {
    super();
    this._options = options;
    this.addClass(CardClass.area);
    this.addClass('jp-Claude-mcpCalls');
    this.node.setAttribute('aria-label', options.trans.__('MCP tool calls'));
    options.calls.changed.connect(this._onChanged, this);
    this.refresh();
  }

  /**
   * Show the cards of the notebook now in focus.
   */
  refresh(): void {
    const path = this._options.notebookPath();
    for (const [id, card] of this._cards) {
      if (card.path !== path) {
        card.widget.dispose();
        this._cards.delete(id);
      }
    }
    for (const call of this._options.calls.calls) {
      if (call.notebookPath === path) {
        this._show(call);
      }
    }
    this.node.classList.toggle('jp-mod-empty', this._cards.size === 0);
  }

  dispose(): void {
    this._options.calls.changed.disconnect(this._onChanged, this);
    super.dispose();
  }

  private _onChanged(_: IMcpCalls, call: IMcpCall | null): void {
    if (!call) {
      this.refresh();
    } else if (call.notebookPath === this._options.notebookPath()) {
      this._show(call);
      this.node.classList.toggle('jp-mod-empty', this._cards.size === 0);
    }
  }

  private _show(call: IMcpCall): void {
    const card = this._cards.get(call.id);
    if (card) {
      card.widget.render(call);
      return;
    }
    const widget = new McpCallCard({ call, ...this._options });
    this._cards.set(call.id, { widget, path: call.notebookPath });
    this.addWidget(widget);
  }

  private _options: McpCallArea.IOptions;
  private _cards = new Map<string, { widget: McpCallCard; path: string }>();
}

export namespace McpCallArea {
  export interface IOptions {
    calls: IMcpCalls;
    trans: TranslationBundle;
    /** The path of the notebook in focus ('' without one). */
    notebookPath: () => string;
    onSaved?: (call: IMcpCall, path: string) => void;
  }
}
