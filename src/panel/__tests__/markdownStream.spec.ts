/*
 * A streamed answer ends as the same DOM as the answer rendered at once, through the real
 * pipeline: a RenderMimeRegistry with JupyterLab's marked parser and sanitizer, the remote
 * content policy, and the panel's own buttons. Whatever the chunks.
 */
import { Sanitizer } from '@jupyterlab/apputils';
import { EditorLanguageRegistry } from '@jupyterlab/codemirror';
import { createMarkdownParser } from '@jupyterlab/markedparser-extension';
import { RenderMimeRegistry, standardRendererFactories } from '@jupyterlab/rendermime';
import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { IChatTurn } from '../../claude/tokens';
import { TurnView } from '../turn';
import { DOCUMENTS, fixtureDeltas } from './markdownCases';

const trans = nullTranslator.load('jupyterlab_claude');

function registry(): RenderMimeRegistry {
  const languages = new EditorLanguageRegistry();
  EditorLanguageRegistry.getDefaultLanguages().forEach(language => languages.addLanguage(language));
  return new RenderMimeRegistry({
    initialFactories: standardRendererFactories,
    sanitizer: new Sanitizer(),
    markdownParser: createMarkdownParser(languages)
  });
}

const rendermime = registry();

function view(turn: IChatTurn): TurnView {
  const view = new TurnView({ turn, rendermime, trans, onRetry: () => undefined, onCode: () => undefined });
  Widget.attach(view, document.body);
  return view;
}

function answer(text: string, status: IChatTurn['status']): IChatTurn {
  return { id: 'a', role: 'assistant', created: '2026-01-01T00:00:00Z', text, thinking: '', status };
}

function body(view: TurnView): HTMLElement {
  return view.node.querySelector('.jp-Claude-turnBody') as HTMLElement;
}

/** Stream `chunks` into a view, one render (and frame) per event, then end with `status`. */
async function streamed(chunks: string[], status: IChatTurn['status'] = 'done'): Promise<TurnView> {
  let text = '';
  const turnView = view(answer('', 'streaming'));
  for (const chunk of chunks) {
    text += chunk;
    turnView.render(answer(text, 'streaming'));
    await turnView.settled;
  }
  turnView.render(answer(text, status));
  await turnView.settled;
  return turnView;
}

async function whole(text: string, status: IChatTurn['status'] = 'done'): Promise<TurnView> {
  const turnView = view(answer(text, status));
  await turnView.settled;
  return turnView;
}

function chunks(text: string, seed: number): string[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out: string[] = [];
  for (let at = 0; at < text.length;) {
    const size = 1 + Math.floor(random() * 24);
    out.push(text.slice(at, at + size));
    at += size;
  }
  return out;
}

afterEach(() => {
  document.body.textContent = '';
});

describe('a streamed answer', () => {
  const cases: [string, string, string[][]][] = [
    ...Object.entries(DOCUMENTS).map(
      ([name, text]) => [name, text, [chunks(text, 3), chunks(text, 11)]] as [string, string, string[][]]
    ),
    ...['xss_corpus', 'remote_content', 'markdown_code'].map(name => {
      const deltas = fixtureDeltas(name);
      return [`the ${name} fixture`, deltas.join(''), [deltas]] as [string, string, string[][]];
    }),
    ...['xss_corpus', 'remote_content'].map(name => {
      const text = fixtureDeltas(name)
        .join('')
        .replace(/^\[[^\]]+\]:.*$/gm, '');
      return [`the ${name} fixture without its reference definitions`, text, [chunks(text, 5)]] as [
        string,
        string,
        string[][]
      ];
    })
  ];

  for (const [name, text, chunkings] of cases) {
    it(`ends as the same DOM as ${name} rendered at once`, async () => {
      const expected = body(await whole(text)).innerHTML;
      for (const pieces of chunkings) {
        const turnView = await streamed(pieces);
        expect(body(turnView).innerHTML).toBe(expected);
        turnView.dispose();
      }
    });
  }

  it('ends as the same DOM when the stream is cut inside a code fence', async () => {
    const text = DOCUMENTS['a fence left open by a cut stream'];
    const expected = body(await whole(text, 'error')).innerHTML;
    const turnView = await streamed(chunks(text, 9), 'error');
    expect(body(turnView).innerHTML).toBe(expected);
    expect(body(turnView).querySelectorAll('.jp-Claude-codeBlock .jp-Claude-copyButton')).toHaveLength(3);
  });

  it('keeps finished blocks on screen while later text arrives', async () => {
    const turnView = view(answer('', 'streaming'));
    turnView.render(answer('First paragraph.\n\n```python\nx = 1\n```\n\nThird\n', 'streaming'));
    await turnView.settled;
    const first = body(turnView).querySelector('p');
    const code = body(turnView).querySelector('.jp-Claude-codeBlock');
    turnView.render(
      answer('First paragraph.\n\n```python\nx = 1\n```\n\nThird paragraph, longer now.\n\nFourth', 'streaming')
    );
    await turnView.settled;
    // The same nodes, not re-rendered copies: a click on Copy in a finished block still lands.
    expect(body(turnView).querySelector('p')).toBe(first);
    expect(body(turnView).querySelector('.jp-Claude-codeBlock')).toBe(code);
    expect(body(turnView).textContent).toContain('Third paragraph, longer now.');
  });

  it('drops no text when events come faster than renders, and ends as the whole answer', async () => {
    const text = DOCUMENTS[Object.keys(DOCUMENTS)[0]];
    const expected = body(await whole(text)).innerHTML;
    const turnView = view(answer('', 'streaming'));
    let sent = '';
    // Events 1 ms apart, not awaited: renders are paced, so most events share a render.
    for (const piece of chunks(text, 13)) {
      sent += piece;
      turnView.render(answer(sent, 'streaming'));
      await new Promise(resolve => setTimeout(resolve, 1));
    }
    await turnView.settled;
    // What is on screen is the last text sent, whole (a streamed render, not yet the final one).
    const streamedView = view(answer('', 'streaming'));
    streamedView.render(answer(sent, 'streaming'));
    await streamedView.settled;
    expect(body(turnView).textContent).toBe(body(streamedView).textContent);
    // The end of the answer ends any pause and renders the whole answer.
    turnView.render(answer(text, 'done'));
    await turnView.settled;
    expect(body(turnView).innerHTML).toBe(expected);
  });

  it('is busy while it streams and until its last render is on screen', async () => {
    const turnView = view(answer('', 'streaming'));
    turnView.render(answer('A first paragraph.\n\nAnd a second', 'streaming'));
    expect(turnView.node.getAttribute('aria-busy')).toBe('true');
    await turnView.settled;
    expect(turnView.node.getAttribute('aria-busy')).toBe('true');
    // Stopped: the status says so at once, the last render follows, then it is no longer busy.
    turnView.render(answer('A first paragraph.\n\nAnd a second', 'stopped'));
    expect(turnView.node.dataset.status).toBe('stopped');
    expect(turnView.node.getAttribute('aria-busy')).toBe('true');
    await turnView.settled;
    expect(turnView.node.getAttribute('aria-busy')).toBe('false');
    expect(body(turnView).textContent).toContain('And a second');
    turnView.dispose();
  });
});
