/*
 * A streaming answer rendered block by block: what is finished renders once and stays, only
 * the open last block renders again as text arrives, so the work per event does not grow
 * with the answer. Every block goes through the renderer's own pipeline (JupyterLab's
 * renderMarkdown with the renderer's sanitizer, parser, resolver and typesetter), and the
 * finished answer's DOM is the one a single render of the whole text gives.
 */
import type { IRenderMime } from '@jupyterlab/rendermime';
import { removeMath, renderMarkdown } from '@jupyterlab/rendermime';
import type { ITranslator } from '@jupyterlab/translation';
// Marked's lexer loads with the first streamed answer, not when JupyterLab starts.
import type { MarkdownBlocks } from './markdownBlocks';

/** The parts of a rendermime renderer a block is rendered with (a RenderedMarkdown has them). */
export interface IMarkdownPipeline {
  readonly node: HTMLElement;
  readonly sanitizer: IRenderMime.ISanitizer;
  readonly resolver: IRenderMime.IResolver | null;
  readonly linkHandler: IRenderMime.ILinkHandler | null;
  readonly latexTypesetter: IRenderMime.ILatexTypesetter | null;
  readonly markdownParser: IRenderMime.IMarkdownParser | null;
  readonly translator?: ITranslator;
}

export class StreamingMarkdown {
  /**
   * @param pipeline - the renderer whose node receives the answer and whose pipeline renders it.
   * @param decorate - what the answer's view does to rendered HTML (buttons, link policy), per block.
   */
  constructor(
    private readonly _pipeline: IMarkdownPipeline,
    private readonly _decorate: (root: HTMLElement) => void
  ) {
    // An answer view exists before its first token (the question was just sent): load now.
    void Private.blocks();
  }

  /** Whether any text has been rendered through this object. */
  get started(): boolean {
    return this._started;
  }

  /**
   * Show `text` (the whole answer so far, which grows by appending); `final` once it is
   * complete. Calls must not overlap.
   */
  async update(text: string, final: boolean): Promise<void> {
    if (!this._splitter) {
      const { MarkdownBlocks } = await Private.blocks();
      this._splitter = new MarkdownBlocks.Splitter();
      this._newHeadings = () => new MarkdownBlocks.HeadingIds();
      this._headings = this._newHeadings();
    }
    if (!this._started && !this._pipeline.markdownParser) {
      this._splitter.renderWhole(); // without marked's blocks there is nothing to cut at
    }
    this._started = true;
    if (this._final && text === this._text) {
      return;
    }
    const step = this._splitter.next(text, final);
    if (step.reset) {
      this._clear = true;
      this._headings = this._newHeadings!();
    }
    const block = step.settle ? await this._renderBlock(step.settle, true) : null;
    if (block && step.open) {
      // A settled block (typeset, if it has math) and the open block are each a task: together
      // they could hold the page for longer than a frame. Nothing shows until the swap below.
      await Private.nextTask();
    }
    const open = step.open ? await this._renderBlock(step.open, false) : null;
    // Swap in one step, so no frame shows a block twice or not at all.
    const host = this._pipeline.node;
    if (this._clear) {
      host.textContent = '';
      this._clear = false;
    }
    this._openNodes.forEach(node => node.parentNode?.removeChild(node));
    this._openNodes = [];
    if (block) {
      host.append(...Array.from(block.childNodes));
    }
    if (open) {
      this._openNodes = Array.from(open.childNodes);
      host.append(...this._openNodes);
    }
    this._text = text;
    this._final = final;
  }

  private async _renderBlock(source: string, settled: boolean): Promise<HTMLElement> {
    const p = this._pipeline;
    const host = document.createElement('div');
    // A settled block is typeset as a whole render would be: on the page (MathJax measures the
    // text around its math), hidden, once MathJax is loaded, so typesetting ends before
    // renderMarkdown names the headings and the panel sets the links' policy. The open block
    // is not typeset: each frame would pay for MathJax's measuring.
    // A block without math (as removeMath finds it, the same split the renderer makes) has
    // nothing for MathJax, so it does not pay for a typesetting pass.
    const math = settled ? removeMath(source) : null;
    const typeset = !!math?.math.length && !!p.latexTypesetter && p.node.isConnected;
    if (typeset) {
      await StreamingMarkdown.typesetterReady(p.latexTypesetter!);
      host.style.cssText = 'visibility: hidden; height: 0; overflow: hidden; content-visibility: visible';
      p.node.append(host);
    }
    try {
      // Untrusted: the sanitizer runs, as rendermime does for `trusted: false`.
      await renderMarkdown({
        host,
        source,
        trusted: false,
        sanitizer: p.sanitizer,
        resolver: p.resolver,
        linkHandler: p.linkHandler,
        shouldTypeset: typeset,
        latexTypesetter: p.latexTypesetter,
        markdownParser: p.markdownParser,
        translator: p.translator
      });
    } finally {
      host.remove();
    }
    if (math) {
      this._fixHeadingIds(host, math);
      // The panel's decoration is a task of its own, after JupyterLab's hardening of the
      // links that follows typesetting (a promise renderMarkdown does not return).
      await Private.nextTask();
    }
    this._decorate(host);
    return host;
  }

  /** A settled block's heading ids as the whole answer parsed at once gives them. */
  private _fixHeadingIds(host: HTMLElement, math: { text: string; math: string[] }): void {
    const { local, global } = this._headings!.next(math);
    if (!local.length || local.every((id, i) => id === global[i])) {
      return;
    }
    let next = 0;
    host.querySelectorAll('h1, h2, h3, h4, h5, h6').forEach(heading => {
      if (next < local.length && heading.id === local[next]) {
        heading.id = global[next++];
      }
    });
  }

  private _splitter: MarkdownBlocks.Splitter | null = null;
  private _newHeadings: (() => MarkdownBlocks.HeadingIds) | null = null;
  private _started = false;
  private _text = '';
  private _final = false;
  /** The nodes of the open last block, replaced on every update. */
  private _openNodes: Node[] = [];
  /** The next swap clears what is on screen first (the answer started again). */
  private _clear = false;
  private _headings: MarkdownBlocks.HeadingIds | null = null;
}

export namespace StreamingMarkdown {
  /**
   * Resolves once the typesetter is loaded (MathJax loads on first use); from then on it
   * typesets within the render that asks, as JupyterLab's own renders find it.
   */
  export function typesetterReady(typesetter: IRenderMime.ILatexTypesetter): Promise<void> {
    let ready = Private.ready.get(typesetter);
    if (!ready) {
      ready = Promise.resolve(typesetter.typeset(document.createElement('div'))).catch(console.warn);
      Private.ready.set(typesetter, ready);
    }
    return ready;
  }
}

namespace Private {
  let blocksModule: Promise<typeof import('./markdownBlocks')> | null = null;

  export function blocks(): Promise<typeof import('./markdownBlocks')> {
    return (blocksModule ??= import('./markdownBlocks'));
  }

  export const ready = new WeakMap<IRenderMime.ILatexTypesetter, Promise<void>>();

  /** Resolves in a later task, so the browser can paint and handle input in between. */
  export function nextTask(): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, 0));
  }
}
