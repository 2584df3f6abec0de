import { estimateTokens, headTail, headTailOfParts, lineCount, stripAnsi } from '../text';

describe('stripAnsi', () => {
  it('removes colour codes from IPython tracebacks', () => {
    expect(stripAnsi('\x1b[31mKeyError\x1b[39m: \x1b[38;5;28;01mif\x1b[39;00m x')).toBe('KeyError: if x');
  });

  it('leaves plain text untouched', () => {
    const text = 'nothing to strip [31m';
    expect(stripAnsi(text)).toBe(text);
  });
});

describe('estimateTokens', () => {
  it('counts about one token per 3.5 characters of code', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('x'.repeat(35))).toBe(10);
    expect(estimateTokens('df.groupby("race")["wealth"].median()')).toBe(11);
  });

  it('counts non-ASCII characters as a token each', () => {
    expect(estimateTokens('数据分析')).toBe(4);
  });

  it('never counts a whole above the sum of its parts', () => {
    const parts = ['import pandas as pd\n', 'é', 'df.head()\n', 'x'];
    const sum = parts.reduce((n, part) => n + estimateTokens(part), 0);
    expect(estimateTokens(parts.join(''))).toBeLessThanOrEqual(sum);
  });
});

describe('headTail', () => {
  const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n') + '\n';

  it('returns short text as it is', () => {
    expect(headTail('short\ntext', 100)).toBe('short\ntext');
  });

  it('keeps whole first and last lines and counts what it elided', () => {
    const clipped = headTail(lines, 400);
    expect(clipped.length).toBeLessThanOrEqual(400);
    expect(clipped.startsWith('line 0\nline 1\n')).toBe(true);
    expect(clipped.endsWith('line 998\nline 999\n')).toBe(true);
    const marker = /… \[([\d,]+) lines \/ ([\d,]+) characters elided\] …/.exec(clipped)!;
    expect(marker).not.toBeNull();
    const kept = clipped.split('\n').filter(l => l.startsWith('line ')).length;
    expect(Number(marker[1].replace(/,/g, '')) + kept).toBe(1000);
    expect(Number(marker[2].replace(/,/g, ''))).toBe(lines.length - (clipped.length - marker[0].length - 1));
  });

  it('cuts a single huge line by characters', () => {
    const clipped = headTail('a'.repeat(10000), 300);
    expect(clipped.length).toBeLessThanOrEqual(300);
    expect(clipped).toContain('[1 line / ');
  });
});

describe('headTailOfParts', () => {
  it('gives what headTail gives on the joined text, for nbformat lines and for arbitrary pieces', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `${i} ${(1 / (i + 1)).toFixed(4)}\n`);
    for (const max of [100, 700, 4000]) {
      expect(headTailOfParts(lines, max, true)).toBe(headTail(lines.join(''), max));
      const pieces = lines.join('').match(/[\s\S]{1,37}/g)!;
      expect(headTailOfParts(pieces, max)).toBe(headTail(pieces.join(''), max));
    }
  });
});

describe('lineCount', () => {
  it('does not count a trailing newline as a line', () => {
    expect(lineCount('a\nb\n')).toBe(2);
    expect(lineCount('a\nb')).toBe(2);
    expect(lineCount('')).toBe(0);
  });
});
