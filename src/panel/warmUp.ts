/*
 * The first formula, code block and table of the first answer each pay once for what they
 * start: MathJax's set-up and fonts, the highlighter's language, the first runs of the parser,
 * the sanitizer and the link rewrite. Together that held the page for over 50 ms in one task
 * while the answer streamed. A small answer rendered off screen, through the same view, while
 * the page is idle after the panel first shows, pays for it instead: a block per idle callback.
 */
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { IChatTurn } from '../claude/tokens';
import { TurnView } from './turn';

/**
 * Render a warm-up answer off screen, a block at a time in idle time; resolves once it is done
 * and removed. Nothing of it is seen, read aloud, focused or saved.
 */
export async function warmUpAnswers(rendermime: IRenderMimeRegistry, trans: TranslationBundle): Promise<void> {
  const turn: IChatTurn = { id: 'warm-up', role: 'assistant', text: '', thinking: '', status: 'streaming' };
  const view = new TurnView({ turn, rendermime, trans, onRetry: () => undefined, onCode: () => undefined });
  view.addClass('jp-Claude-warmUp');
  view.node.setAttribute('aria-hidden', 'true');
  view.node.inert = true;
  // On the page (MathJax measures the text around its math), but not in view or in the layout.
  view.node.style.cssText =
    'position: fixed; left: -10000px; top: 0; width: 400px; visibility: hidden; pointer-events: none';
  Widget.attach(view, document.body);
  try {
    // Each step settles the block before it (the open block is not typeset).
    for (let i = 1; i <= Private.BLOCKS.length; i++) {
      await Private.idle();
      if (view.isDisposed) {
        return;
      }
      const final = i === Private.BLOCKS.length;
      view.render({
        ...turn,
        text: Private.BLOCKS.slice(0, i).join('\n\n') + (final ? '' : '\n\n'),
        status: final ? 'done' : 'streaming'
      });
      await view.settled;
    }
  } catch (error) {
    console.warn('The answer renderer could not warm up', error);
  } finally {
    view.dispose();
  }
}

namespace Private {
  /** What an answer holds that costs most on first use: math inline and displayed, code, a table. */
  export const BLOCKS = [
    'The mean of $\\sigma_1 = 0.52$ is **stable**.',
    '```python\nimport numpy as np\nx = np.arange(3).mean()  # one\nprint(f"{x:.2f}")\n```',
    '| group | mean | note |\n|---|---:|---|\n| a 1 | 2.5 | [link](#a) |',
    '1. one $x^2$\n2. two\n   - nested `code`',
    '$$\n\\hat{\\beta} = (X^\\top X)^{-1} X^\\top y_{1}\n$$',
    '> Done.'
  ];

  /** Resolves when the page is next idle (or after a moment where there is no idle callback). */
  export function idle(): Promise<void> {
    return new Promise(resolve => {
      if (typeof requestIdleCallback === 'function') {
        requestIdleCallback(() => resolve(), { timeout: 2000 });
      } else {
        setTimeout(resolve, 50);
      }
    });
  }
}
