/*
 * The block splitter of streaming answers, in Node: whatever the chunks, the blocks it settles
 * render (JupyterLab's removeMath, marked with its heading ids, replaceMath) to exactly the
 * HTML of the whole answer rendered at once, and a long answer is cut into small blocks.
 */
import * as fs from 'fs';
import * as path from 'path';
import { removeMath, replaceMath } from '@jupyterlab/rendermime/lib/latex';
import { Marked } from 'marked';
import { gfmHeadingId } from 'marked-gfm-heading-id';
import { MarkdownBlocks } from '../markdownBlocks';

// removeMath asks which browser it runs in.
(globalThis as any).navigator ??= { appName: 'Netscape' };

const FIXTURES = path.join(__dirname, '..', '..', '..', 'mock_api', 'fixtures');

/** The answer text a recorded SSE fixture streams, and its deltas. */
function fixtureDeltas(name: string): string[] {
  const sse = fs.readFileSync(path.join(FIXTURES, `${name}.sse`), 'utf-8');
  return sse
    .split('\n')
    .filter(line => line.startsWith('data:') && line.includes('"text_delta"'))
    .map(line => JSON.parse(line.slice(5)).delta.text as string);
}

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

const DOCUMENTS: Record<string, string> = {
  'paragraphs, headings and a rule':
    '# Results\n\nFirst paragraph\nwith two lines.\n\n## Method\n\nText.\n\n---\n\nSetext\n======\n\nLast.',
  'repeated headings and math in a heading':
    '## Example\n\nOne.\n\n## Example\n\nTwo.\n\n## Energy $E = mc^2$\n\n$x$ and $y$\n\n## Energy $E = mc^2$\n\n### Example\n',
  'code fences split anywhere, with blank lines inside':
    'Before.\n\n```python\nimport pandas as pd\n\n\ndf = pd.read_csv("a.csv")\n```\n\nBetween.\n\n~~~\nraw ~~ text\n\n~~~\n\n````md\n```\nnested\n```\n````\n\nAfter `code $x$` and $y$.\n',
  'a fence indented in a list, closed at column 0':
    '1. Step\n   ```py\n   x = 1\n```\n\nParagraph $a$.\n\n```\ncode\n```\n\nEnd $b$.',
  tables:
    'Intro.\n\n| a | b |\n|---|:-:|\n| 1 | $x$ |\n| 2 | <br> |\nnext row\n\nAfter the table.\n\n| c |\n|---|\n| 3 |\n',
  'nested lists, tight and loose':
    '- a\n  - a1\n  - a2\n\n    more a2\n- b\n\n1. one\n2. two\n   1. two.one\n\n   para in two\n\n3. three\n\nDone.\n\n* x\n* y\n',
  'blockquotes with lazy lines': '> quoted\nlazy line\n\n> second\n>\n> - list in quote\n\nafter',
  'indented code across blank lines': 'Para.\n\n    code 1\n\n    code 2\n\nPara 2.\n',
  'list items continued by indented lines after blank lines':
    '- a\n\n  continued\n\n      code in item\n\n- b\n\n10. ten\n\n11. eleven\n\n    code\n\n        more code\n\nEnd\n',
  'raw HTML: blocks, elements open across paragraphs, comments':
    '<div>\n\n*inside the div*\n\n</div>\n\nText <span>opened\n\nand closed</span> later.\n\n<details><summary>More</summary>\n\nHidden **text**.\n\n</details>\n\n<!-- a comment\n\nover two paragraphs -->\n\n<svg><rect/></svg>\n\nEnd.',
  'math blocks and inline math over lines':
    '$$\na = b\n$$\n\nInline $a\n+ b$ over a line.\n\n\\begin{align}\nx &= 1 \\\\\ny &= 2\n\\end{align}\n\nCosts $5 and $10.\n\n$$ x \\lt y $$\n\n# Heading $x\n# y$\n\nEnd.',
  'an unclosed comment at the end': 'Para.\n\n<!-- never closed\n\nmore',
  'a fence left open by a cut stream':
    'Here is the code:\n\n```python\nimport numpy as np\n\nx = np.arange(10)\n\nfor i in x:\n    print(',
  'reference definitions (rendered whole)':
    'See [the docs][d] and [x].\n\nMore text.\n\n[d]: https://example.org/docs\n[x]: <https://example.org/x> "X"\n',
  'an email and autolinks': 'Write to <someone@example.org> or see https://example.org.\n\nNext.'
};

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
