/*
 * One turn of the chat: the question, or the answer rendered as sanitized Markdown.
 */
import { Clipboard } from '@jupyterlab/apputils';
import { IRenderMime, MimeModel, type IRenderMimeRegistry, type RenderedCommon } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Panel, Widget } from '@lumino/widgets';
import type { IChatTurn } from '../claude/tokens';
import { showSentContext } from './context';
import { StreamingMarkdown } from './markdownStream';
import { RemoteContent } from './remote';

const MARKDOWN = 'text/markdown';

/**
 * A view of one chat turn. It renders the turn it is given; it holds no state of its own
 * beyond what it last rendered.
 */
export class TurnView extends Panel {
  constructor(options: TurnView.IOptions) {
    super();
    this._trans = options.trans;
    this._onRetry = options.onRetry;
    this._onContinue = options.onContinue;
    this._onCode = options.onCode;
    this.addClass('jp-Claude-turn');
    this.addClass(`jp-Claude-turn-${options.turn.role}`);
    this._header.addClass('jp-Claude-turnHeader');
    this._header.node.textContent =
      options.turn.role === 'user'
        ? this._trans.__('You')
        : options.turn.compaction
          ? this._trans.__(
              'Claude · summary of the conversation so far (later requests start from it; the turns above stay saved)'
            )
          : this._trans.__('Claude');
    if (options.turn.compaction) {
      this.addClass('jp-mod-compaction');
    }
    this.addWidget(this._header);
    this._thinking.addClass('jp-Claude-thinking');
    this._thinking.hide();
    this.addWidget(this._thinking);
    this._tools.addClass('jp-Claude-toolCalls');
    this._tools.node.setAttribute('aria-label', this._trans.__('What Claude looked at'));
    this._tools.hide();
    this.addWidget(this._tools);
    if (options.turn.role === 'user') {
      // The scientist's own words, shown exactly as typed.
      this._body = new Widget();
      this._body.addClass('jp-Claude-question');
    } else {
      // Through a sanitizer that also keeps remote content from loading before a click.
      this._body = RemoteContent.rendermime(options.rendermime, this._trans).createRenderer(MARKDOWN);
      this._markdown = new StreamingMarkdown(this._body as RenderedCommon, root => this._decorate(root));
    }
    this._body.addClass('jp-Claude-turnBody');
    this.addWidget(this._body);
    this._status.addClass('jp-Claude-turnStatus');
    this.addWidget(this._status);
    this.render(options.turn);
  }

  /**
   * Render the turn as it is now. Markdown renders are coalesced to one per frame; while the
   * answer streams, only its open last block renders again.
   */
  render(turn: IChatTurn): void {
    this.node.dataset.status = turn.status;
    if (turn.compaction && turn.status === 'error') {
      this._header.node.textContent = this._trans.__('Claude · the conversation could not be summarised');
    }
    // Busy while the answer streams and until its last render is on screen (the Markdown of an
    // answer that just ended is rendered a frame or more later).
    if (turn.status === 'streaming') {
      this.node.setAttribute('aria-busy', 'true');
    } else if (turn.role === 'user') {
      this.node.setAttribute('aria-busy', 'false');
    }
    if (turn.thinking) {
      this._thinking.show();
      const details = this._thinking.node;
      if (!details.firstChild) {
        const summary = document.createElement('summary');
        summary.textContent = this._trans.__('Thinking');
        details.append(summary, document.createElement('div'));
      }
      if (details.lastElementChild!.textContent !== turn.thinking) {
        details.lastElementChild!.textContent = turn.thinking;
      }
    }
    if (turn.role !== 'user') {
      // Most events change only the text: the lines around it are rebuilt only when they change,
      // so an event leaves no layout to redo outside the answer.
      const status = JSON.stringify([turn.status, !turn.text, turn.usage, turn.stopReason, turn.error, turn.limit]);
      if (status !== this._statusKey) {
        this._statusKey = status;
        this._renderStatus(turn);
      }
      const tools = JSON.stringify(turn.toolCalls ?? []);
      if (tools !== this._toolsKey) {
        this._toolsKey = tools;
        this._renderToolCalls(turn);
      }
    }
    if (turn.role === 'user') {
      this._body.node.textContent = turn.text;
      this._renderContextLine(turn);
      return;
    }
    const final = turn.status !== 'streaming';
    if (turn.text !== this._renderedText || final !== this._renderedFinal || this._pendingText !== null) {
      this._pendingText = turn.text;
      this._pendingFinal = final;
      if (final) {
        this._wake?.();
      }
      this._scheduleMarkdown();
    }
  }

  /**
   * A promise that resolves when the Markdown on screen matches the last turn rendered.
   */
  get settled(): Promise<void> {
    return this._settled;
  }

  private _scheduleMarkdown(): void {
    if (this._rendering) {
      return;
    }
    this._rendering = true;
    this._settled = new Promise<void>(resolve => {
      const step = async () => {
        let started = performance.now();
        while (this._pendingText !== null && !this.isDisposed) {
          const text = this._pendingText;
          const final = this._pendingFinal;
          this._pendingText = null;
          try {
            if (this._markdown!.started || !final) {
              await this._markdown!.update(text, final);
            } else {
              // An answer that arrives whole (a saved chat) renders at once. Model output is
              // untrusted: `trusted: false` makes rendermime sanitize it.
              const typesetter = (this._body as RenderedCommon).latexTypesetter;
              if (typesetter) {
                // As a streamed answer is: math typeset before headings are named and links set.
                await StreamingMarkdown.typesetterReady(typesetter);
              }
              const model = new MimeModel({ data: { [MARKDOWN]: text }, trusted: false });
              await (this._body as IRenderMime.IRenderer).renderModel(model);
              // JupyterLab hardens the links once typesetting ends (a promise it does not
              // return): decorating after it, as a streamed block is, gives the same DOM.
              await new Promise(resolve => setTimeout(resolve, 0));
              this._decorate(this._body.node);
            }
          } catch (error) {
            console.error('Could not render the answer', error);
          }
          this._renderedText = text;
          this._renderedFinal = final;
          if (!final && !this._pendingFinal && !this.isDisposed) {
            // While the answer streams, renders are paced: a few tokens more per render read
            // the same, and every render costs the page a layout and a paint beside the
            // notebook. The end of the answer (or an error) ends the pause at once.
            await new Promise<void>(resolve => {
              const timer = setTimeout(resolve, Private.STREAM_INTERVAL_MS - (performance.now() - started));
              this._wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            this._wake = null;
          }
          started = performance.now();
        }
        this._rendering = false;
        if (this._renderedFinal && !this.isDisposed) {
          this.node.setAttribute('aria-busy', 'false');
        }
        resolve();
      };
      requestAnimationFrame(() => void step());
    });
  }

  /** What the panel adds to rendered HTML: inert forms and buttons, the link policy, code buttons. */
  private _decorate(root: HTMLElement): void {
    Private.neutralise(root);
    RemoteContent.activate(root, this._trans, this._approvedImages);
    this._addCopyButtons(root);
  }

  private _addCopyButtons(root: HTMLElement): void {
    root.querySelectorAll('pre').forEach(pre => {
      if (pre.parentElement?.classList.contains('jp-Claude-codeBlock')) {
        return;
      }
      const wrapper = document.createElement('div');
      wrapper.className = 'jp-Claude-codeBlock';
      pre.replaceWith(wrapper);
      wrapper.appendChild(pre);
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'jp-Claude-copyButton jp-mod-minimal jp-Button';
      button.textContent = this._trans.__('Copy');
      button.setAttribute('aria-label', this._trans.__('Copy code'));
      button.addEventListener('click', () => {
        Clipboard.copyToSystem(pre.textContent ?? '');
        button.textContent = this._trans.__('Copied');
        window.setTimeout(() => (button.textContent = this._trans.__('Copy')), 1500);
      });
      const actions = document.createElement('div');
      actions.className = 'jp-Claude-codeActions';
      actions.appendChild(button);
      if (this._onCode) {
        const code = () => (pre.textContent ?? '').replace(/\n$/, '');
        for (const [mode, label] of [
          ['insert', this._trans.__('Insert below')],
          ['replace', this._trans.__('Replace active cell')]
        ] as const) {
          const propose = document.createElement('button');
          propose.type = 'button';
          propose.className = 'jp-Claude-copyButton jp-mod-minimal jp-Button';
          propose.textContent = label;
          propose.setAttribute('aria-label', label);
          propose.title = this._trans.__('Propose this code; the notebook changes only if you accept');
          propose.addEventListener('click', () => this._onCode!(code(), mode));
          actions.appendChild(propose);
        }
      }
      // Above the code, so the buttons never cover it.
      wrapper.insertBefore(actions, pre);
    });
  }

  private _renderToolCalls(turn: IChatTurn): void {
    const calls = turn.toolCalls ?? [];
    if (!calls.length) {
      return;
    }
    this._tools.show();
    const node = this._tools.node;
    node.textContent = '';
    for (const call of calls) {
      const line = document.createElement('div');
      line.className = 'jp-Claude-toolCall';
      line.dataset.status = call.status;
      line.dataset.tool = call.name;
      const mark = call.status === 'running' ? '…' : call.status === 'error' ? '⚠' : '✓';
      line.textContent = `${mark} ${call.summary}`;
      if (call.preview) {
        line.title = call.preview;
      }
      node.appendChild(line);
    }
  }

  private _renderContextLine(turn: IChatTurn): void {
    const node = this._status.node;
    node.textContent = '';
    node.className = 'jp-Claude-turnStatus jp-Claude-contextLine';
    const context = turn.context;
    if (!context) {
      return;
    }
    const text = document.createElement('span');
    text.textContent = this._trans.__(
      'Sent with %1 parts of the notebook (≈%2 tokens%3)',
      context.parts.length,
      context.totalTokens.toLocaleString(),
      context.redactions ? this._trans.__(', %1 secrets redacted', context.redactions) : ''
    );
    const show = document.createElement('button');
    show.type = 'button';
    show.className = 'jp-Claude-showContext jp-mod-minimal jp-Button';
    show.textContent = this._trans.__('Show');
    show.setAttribute('aria-label', this._trans.__('Show what Claude saw'));
    show.addEventListener('click', () => void showSentContext(context, this._trans));
    node.append(text, show);
  }

  private _renderStatus(turn: IChatTurn): void {
    const node = this._status.node;
    node.textContent = '';
    node.className = 'jp-Claude-turnStatus';
    if (turn.role === 'user') {
      return;
    }
    if (turn.status === 'streaming') {
      node.classList.add('jp-Claude-streaming');
      node.textContent = turn.text ? '' : this._trans.__('Claude is thinking…');
      return;
    }
    if (turn.compaction && turn.status === 'error') {
      node.textContent = this._trans.__(
        'The conversation could not be summarised: the question went with the whole conversation. Summarising is tried again once the conversation has grown further.'
      );
      return;
    }
    if (turn.status === 'stopped') {
      node.textContent = this._trans.__('Stopped. The partial answer is kept.');
      this._appendRetry(node);
      return;
    }
    if (turn.status === 'done') {
      if (turn.usage) {
        const usage = document.createElement('div');
        usage.className = 'jp-Claude-turnUsage';
        usage.textContent = this._trans.__(
          'Tokens: %1 in, %2 read from cache, %3 written to cache, %4 out',
          turn.usage.inputTokens.toLocaleString(),
          turn.usage.cacheReadInputTokens.toLocaleString(),
          turn.usage.cacheCreationInputTokens.toLocaleString(),
          turn.usage.outputTokens.toLocaleString()
        );
        node.appendChild(usage);
      }
      const note = document.createElement('div');
      node.appendChild(note);
      if (turn.limit) {
        note.className = 'jp-Claude-limitNote';
        note.textContent =
          turn.limit.kind === 'rounds'
            ? this._trans.__('Claude stopped at the limit of %1 tool rounds for one question.', turn.limit.value)
            : this._trans.__(
                'Claude stopped at the token budget of %1 tokens for this task.',
                turn.limit.value.toLocaleString()
              );
        if (this._onContinue) {
          const onContinue = this._onContinue;
          const resume = document.createElement('button');
          resume.type = 'button';
          resume.className = 'jp-Claude-continue jp-mod-styled jp-mod-accept';
          resume.textContent = this._trans.__('Continue');
          resume.addEventListener('click', () => {
            resume.disabled = true;
            onContinue();
          });
          note.append(' ', resume);
        }
      } else if (turn.stopReason === 'max_tokens') {
        note.textContent = this._trans.__(
          'The answer reached the output limit (Settings › Claude › Max output tokens).'
        );
      }
      return;
    }
    if (turn.error) {
      node.classList.add('jp-Claude-error');
      node.setAttribute('role', 'alert');
      node.dataset.kind = turn.error.kind;
      const title = document.createElement('div');
      title.className = 'jp-Claude-errorTitle';
      title.textContent = turn.error.title;
      const detail = document.createElement('div');
      detail.className = 'jp-Claude-errorDetail';
      detail.textContent = turn.error.detail;
      node.append(title, detail);
      if (turn.error.requestId) {
        const id = document.createElement('div');
        id.className = 'jp-Claude-requestId';
        id.textContent = this._trans.__('Request id: %1', turn.error.requestId);
        node.appendChild(id);
      }
      this._appendRetry(node);
    }
  }

  private _appendRetry(node: HTMLElement): void {
    const retry = document.createElement('button');
    retry.type = 'button';
    retry.className = 'jp-Claude-retry jp-mod-styled jp-mod-accept';
    retry.textContent = this._trans.__('Retry');
    retry.setAttribute('aria-label', this._trans.__('Retry'));
    retry.addEventListener('click', () => this._onRetry());
    node.appendChild(retry);
  }

  private _trans: TranslationBundle;
  private _onRetry: () => void;
  private _onContinue?: () => void;
  private _onCode?: (source: string, mode: 'insert' | 'replace') => void;
  private _header = new Widget();
  private _thinking = new Widget({ node: document.createElement('details') });
  private _body: IRenderMime.IRenderer | Widget;
  private _status = new Widget();
  private _tools = new Widget();
  private _markdown: StreamingMarkdown | null = null;
  private _statusKey = '';
  private _toolsKey = '[]';
  private _renderedText: string | null = null;
  private _renderedFinal = false;
  private _pendingText: string | null = null;
  private _pendingFinal = false;
  private _rendering = false;
  /** Ends the pause between two renders of a streaming answer. */
  private _wake: (() => void) | null = null;
  private _settled: Promise<void> = Promise.resolve();
  /** Remote images the scientist chose to load, kept loaded when the answer re-renders. */
  private _approvedImages = new Set<string>();
}

export namespace TurnView {
  export interface IOptions {
    turn: IChatTurn;
    rendermime: IRenderMimeRegistry;
    trans: TranslationBundle;
    onRetry: () => void;
    /** Resume a task that stopped at a limit (rounds, tokens). */
    onContinue?: () => void;
    /** Turn a code block into a proposal. */
    onCode?: (source: string, mode: 'insert' | 'replace') => void;
  }
}

namespace Private {
  /** The least time from one render of a streaming answer to the next (20 a second). */
  export const STREAM_INTERVAL_MS = 50;

  const UNSAFE_URL = /^(javascript|vbscript):|^data:(?!image\/(png|jpeg|gif|webp)[;,])/i;

  /**
   * Belt and braces after the sanitizer: a form it lets through (without its action) would
   * still submit to, and reload, JupyterLab. Forms become plain blocks; buttons do nothing.
   */
  export function neutralise(root: HTMLElement): void {
    root.querySelectorAll('form').forEach(form => {
      const block = document.createElement('div');
      block.append(...Array.from(form.childNodes));
      form.replaceWith(block);
    });
    // Script URLs are inert in today's browsers, but none should be left to click or load.
    root.querySelectorAll('[href], [src], [action], [formaction], [xlink\\:href]').forEach(el => {
      for (const name of ['href', 'src', 'action', 'formaction', 'xlink:href']) {
        const value = el.getAttribute(name);
        // Browsers skip control characters in a URL's scheme; so must the test.
        // eslint-disable-next-line no-control-regex
        if (value !== null && UNSAFE_URL.test(value.replace(/[\s\u0000-\u001f]/g, ''))) {
          el.removeAttribute(name);
        }
      }
    });
    root.querySelectorAll('button:not(.jp-Claude-copyButton)').forEach(button => {
      (button as HTMLButtonElement).type = 'button';
      (button as HTMLButtonElement).disabled = true;
    });
  }
}
