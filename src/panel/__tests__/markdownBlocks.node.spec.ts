/*
 * The block splitter of streaming answers, in Node: whatever the chunks, the blocks it settles
 * render (JupyterLab's removeMath, marked with its heading ids, replaceMath) to exactly the
 * HTML of the whole answer rendered at once, and a long answer is cut into small blocks.
 */
import { removeMath, replaceMath } from '@jupyterlab/rendermime/lib/latex';
import { Marked } from 'marked';
import { gfmHeadingId } from 'marked-gfm-heading-id';
import { MarkdownBlocks } from '../markdownBlocks';
import { DOCUMENTS, fixtureDeltas } from './markdownCases';

// removeMath asks which browser it runs in.
(globalThis as any).navigator ??= { appName: 'Netscape' };

/** JupyterLab's Markdown pipeline up to the sanitizer, as markedparser-extension sets marked up. */
function render(source: string): string {
  const marked = new Marked(gfmHeadingId());
  const parts = removeMath(source);
  return replaceMath(marked.parse(parts.text, { gfm: true, async: false }) as string, parts.math);
}

interface IStreamed {
  /** The settled blocks and the last one (the final step settles everything). */
  blocks: string[];
  /** The longest open text any step rendered. */
  longestOpen: number;
  /** The HTML of the blocks, each rendered alone, heading ids fixed as the renderer does. */
  html: string;
}

/** Stream `chunks` through the splitter as the answer's view does. */
function stream(chunks: string[]): IStreamed {
  const splitter = new MarkdownBlocks.Splitter();
  let headings = new MarkdownBlocks.HeadingIds();
  let blocks: string[] = [];
  let html: string[] = [];
  let longestOpen = 0;
  let text = '';
  chunks.forEach((chunk, i) => {
    text += chunk;
    const step = splitter.next(text, i === chunks.length - 1);
    if (step.reset) {
      blocks = [];
      html = [];
      headings = new MarkdownBlocks.HeadingIds();
    }
    longestOpen = Math.max(longestOpen, step.open.length);
    if (step.settle) {
      blocks.push(step.settle);
      const ids = headings.next(removeMath(step.settle));
      let next = 0;
      html.push(
        render(step.settle).replace(/<h([1-6]) id="([^"]*)">/g, (tag, level: string, id: string) =>
          next < ids.local.length && id === ids.local[next] ? `<h${level} id="${ids.global[next++]}">` : tag
        )
      );
    }
  });
  return { blocks, longestOpen, html: html.join('') };
}

/** Chunkings of a text: one character at a time, the given deltas, and seeded random sizes. */
function chunkings(text: string, deltas?: string[]): [string, string[]][] {
  const out: [string, string[]][] = [['one character per event', Array.from(text)]];
  if (deltas) {
    out.push(['the recorded deltas', deltas]);
  }
  for (const seed of [1, 7, 42]) {
    let state = seed;
    const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const chunks: string[] = [];
    for (let at = 0; at < text.length;) {
      const size = 1 + Math.floor(random() * 40);
      chunks.push(text.slice(at, at + size));
      at += size;
    }
    out.push([`random chunks (seed ${seed})`, chunks]);
  }
  return out;
}

describe('MarkdownBlocks.Splitter', () => {
  const cases: [string, string, string[] | undefined][] = [
    ...Object.entries(DOCUMENTS).map(([name, text]) => [name, text, undefined] as [string, string, undefined]),
    ['the XSS corpus', fixtureDeltas('xss_corpus').join(''), fixtureDeltas('xss_corpus')],
    [
      'the remote content (exfiltration) corpus',
      fixtureDeltas('remote_content').join(''),
      fixtureDeltas('remote_content')
    ],
    ...(['xss_corpus', 'remote_content'] as const).map(name => {
      // Without its reference definitions, the corpus is cut into blocks.
      const text = fixtureDeltas(name)
        .join('')
        .replace(/^\[[^\]]+\]:.*$/gm, '');
      return [`the ${name} fixture without reference definitions`, text, undefined] as [string, string, undefined];
    }),
    ['the markdown_code fixture', fixtureDeltas('markdown_code').join(''), fixtureDeltas('markdown_code')]
  ];

  for (const [name, text, deltas] of cases) {
    it(`renders ${name} streamed exactly as rendered whole`, () => {
      const whole = render(text);
      for (const [how, chunks] of chunkings(text, deltas)) {
        const streamed = stream(chunks);
        expect({ how, joined: streamed.blocks.join('') === text }).toEqual({ how, joined: true });
        expect({ how, html: streamed.html }).toEqual({ how, html: whole });
      }
    });
  }

  it('keeps the open text short in a long answer of paragraphs, lists, tables and code', () => {
    const section = (i: number) =>
      `## Section ${i}\n\nA paragraph about $x_${i}$ with **bold** text.\n\n- point one\n- point two\n\n` +
      `| k | v |\n|---|---|\n| a | ${i} |\n\n\`\`\`python\nprint(${i})\n\`\`\`\n\n`;
    const text = Array.from({ length: 200 }, (_, i) => section(i)).join('');
    const chunks = text.match(/[\s\S]{1,16}/g)!;
    const streamed = stream(chunks);
    expect(streamed.blocks.join('')).toBe(text);
    expect(streamed.blocks.length).toBeGreaterThan(chunks.length / 10);
    expect(streamed.longestOpen).toBeLessThan(200);
    expect(streamed.html).toBe(render(text));
  });

  it('starts again when the text no longer extends what was settled', () => {
    const splitter = new MarkdownBlocks.Splitter();
    splitter.next('First.\n\nSecond.\n\nThird\n', false);
    const step = splitter.next('Other.\n\nText\n', false);
    expect(step).toEqual({ reset: true, settle: 'Other.\n\n', open: 'Text\n' });
  });

  it('renders a text with reference definitions as one block, from the start', () => {
    const splitter = new MarkdownBlocks.Splitter();
    expect(splitter.next('One.\n\nTwo [a].\n\nThree\n', false)).toEqual({
      reset: false,
      settle: 'One.\n\nTwo [a].\n\n',
      open: 'Three\n'
    });
    expect(splitter.next('One.\n\nTwo [a].\n\nThree\n\n[a]: https://example.org\n\nFour', false)).toEqual({
      reset: true,
      settle: '',
      open: 'One.\n\nTwo [a].\n\nThree\n\n[a]: https://example.org\n\nFour'
    });
  });
});

describe('MarkdownBlocks.cut', () => {
  it('cuts after blank lines only, never inside a fence, a list or an open element', () => {
    expect(MarkdownBlocks.cut('# Title\nText right after\n\nNext\n').settled).toBe(
      '# Title\nText right after\n\n'.length
    );
    // `2` may still become `2. b`, an item of the same list.
    expect(MarkdownBlocks.cut('1. a\n\n2').settled).toBe(0);
    expect(MarkdownBlocks.cut('1. a\n\n2. b\n\nText\n').settled).toBe('1. a\n\n2. b\n\n'.length);
    expect(MarkdownBlocks.cut('```\na\n\nb').settled).toBe(0);
    expect(MarkdownBlocks.cut('- a\n\n- b\n\n- c').settled).toBe(0);
    expect(MarkdownBlocks.cut('<div>\n\ntext\n\nmore').settled).toBe(0);
    expect(MarkdownBlocks.cut('<div>\n\ntext\n\n</div>\n\nmore\n').settled).toBe('<div>\n\ntext\n\n</div>\n\n'.length);
  });
});
