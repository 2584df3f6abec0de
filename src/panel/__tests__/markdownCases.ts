/*
 * Answers for the streaming renderer's tests: Markdown that is hard to cut into blocks, and
 * the recorded fixtures the browser tests stream (the XSS and remote content corpora).
 */
import * as fs from 'fs';
import * as path from 'path';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'mock_api', 'fixtures');

/** The answer text a recorded SSE fixture streams, and its deltas. */
export function fixtureDeltas(name: string): string[] {
  const sse = fs.readFileSync(path.join(FIXTURES, `${name}.sse`), 'utf-8');
  return sse
    .split('\n')
    .filter(line => line.startsWith('data:') && line.includes('"text_delta"'))
    .map(line => JSON.parse(line.slice(5)).delta.text as string);
}

export const DOCUMENTS: Record<string, string> = {
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
