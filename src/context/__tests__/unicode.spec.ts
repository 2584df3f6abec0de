/*
 * Cutting text never leaves half a character: the helper itself (src/unicode.ts), and each
 * truncation on the way to Claude, the saved chat and the screen that uses it.
 */
import {
  boundaryAfter,
  boundaryBefore,
  clipText,
  cutText,
  cutTextEnd,
  isWellFormed,
  useCodePointsOnly,
  wellFormed,
  wellFormedDeep
} from '../../unicode';
import { headTail, headTailOfParts } from '../text';
import { outlineNotebook } from '../notebook';
import { describeOutput } from '../outputs';
import { titleOf, toStored } from '../../claude/store';
import { Conversation } from '../../claude/conversation';
import { buildLedger, ledgerForClaude } from '../../hypotheses/ledger';
import { hypothesis } from '../../hypotheses/__tests__/fixtures';
import { DEFAULT_SETTINGS } from '../../claude/settings';
import { formatKernelSummary } from '../../kernel/summary';

const EMOJI = '😀';
const FAMILY = '👨‍👩‍👧‍👦';
const FLAGS = '🇫🇷🇩🇪🇯🇵';
const ACCENT = 'e\u0301'; // é as a letter and a combining accent
const MIXED = `a${EMOJI}b${FAMILY}c${FLAGS}d${ACCENT}${ACCENT}f 数据 ${EMOJI}${EMOJI}`;

/** Offsets between graphemes, as the browser's own segmenter sees them. */
function graphemeEnds(text: string): Set<number> {
  const ends = new Set<number>([0]);
  for (const s of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) {
    ends.add(s.index + s.segment.length);
  }
  return ends;
}

describe('cutting text', () => {
  afterEach(() => useCodePointsOnly(false));

  it('keeps an emoji whole', () => {
    expect(cutText(`a${EMOJI}b`, 2)).toBe('a');
    expect(cutText(`a${EMOJI}b`, 3)).toBe(`a${EMOJI}`);
    expect(cutTextEnd(`a${EMOJI}b`, 2)).toBe('b');
    expect(clipText(`'${EMOJI.repeat(100)}'`, 120)).toBe(`'${EMOJI.repeat(59)}…`);
  });

  it('keeps a ZWJ family, a flag and a letter with its accent whole', () => {
    expect(cutText(FAMILY, FAMILY.length - 1)).toBe('');
    expect(cutText(`x${FAMILY}`, 5)).toBe('x');
    expect(cutText(FLAGS, 2)).toBe('');
    expect(cutText(FLAGS, 7)).toBe('🇫🇷');
    expect(cutTextEnd(FLAGS, 6)).toBe('🇯🇵');
    expect(cutText(`caf${ACCENT}`, 4)).toBe('caf');
    expect(cutTextEnd(`${ACCENT}x`, 2)).toBe('x');
  });

  it('cut at every offset, from either end, never yields half a character', () => {
    const ends = graphemeEnds(MIXED);
    for (let n = 0; n <= MIXED.length + 1; n++) {
      const head = cutText(MIXED, n);
      const tail = cutTextEnd(MIXED, n);
      expect(isWellFormed(head)).toBe(true);
      expect(isWellFormed(tail)).toBe(true);
      expect(head.length).toBeLessThanOrEqual(n);
      expect(tail.length).toBeLessThanOrEqual(n);
      expect(MIXED.startsWith(head) && MIXED.endsWith(tail)).toBe(true);
      expect(ends.has(head.length)).toBe(true);
      expect(ends.has(MIXED.length - tail.length)).toBe(true);
      // The longest such cut: the next grapheme would not have fitted.
      const next = Math.min(...[...ends].filter(e => e > head.length));
      expect(next > n || head.length === MIXED.length).toBe(true);
      expect(boundaryBefore(MIXED, n)).toBeLessThanOrEqual(boundaryAfter(MIXED, n));
    }
  });

  it('falls back to code points without Intl.Segmenter', () => {
    useCodePointsOnly(true);
    for (let n = 0; n <= MIXED.length; n++) {
      expect(isWellFormed(cutText(MIXED, n))).toBe(true);
      expect(isWellFormed(cutTextEnd(MIXED, n))).toBe(true);
    }
    expect(cutText(`a${EMOJI}`, 2)).toBe('a');
  });

  it('settles for code points inside an absurdly long grapheme', () => {
    const zalgo = 'a' + '\u0301'.repeat(500) + 'b';
    expect(cutText(zalgo, 300).length).toBe(300);
    expect(cutText(`x${ACCENT}`, 2)).toBe('x');
  });
});

describe('wellFormed', () => {
  it('replaces lone surrogates, keeps pairs', () => {
    const half = EMOJI[0];
    const low = EMOJI[1];
    expect(wellFormed(`a${half}b`)).toBe('a\ufffdb');
    expect(wellFormed(`a${low}b${half}`)).toBe('a\ufffdb\ufffd');
    expect(wellFormed(MIXED)).toBe(MIXED);
    expect(isWellFormed(`${half}`)).toBe(false);
  });

  it('repairs every string of a value, keys included, and copies nothing clean', () => {
    const clean = { a: [MIXED, { b: 1 }], c: null };
    expect(wellFormedDeep(clean)).toBe(clean);
    const dirty = { [`k${EMOJI[0]}`]: [{ text: `x${EMOJI[1]}` }, 2, true], ok: clean };
    const fixed = wellFormedDeep(dirty);
    expect(fixed).toEqual({ 'k\ufffd': [{ text: 'x\ufffd' }, 2, true], ok: clean });
    expect(fixed.ok).toBe(clean);
  });
});

describe('every truncation keeps characters whole', () => {
  it('head and tail elision, at every budget', () => {
    const text = `${EMOJI.repeat(150)}\n${FAMILY.repeat(20)}${FLAGS.repeat(10)}`;
    for (let max = 1; max <= text.length; max += 1) {
      const out = headTail(text, max);
      expect(isWellFormed(out)).toBe(true);
      expect(isWellFormed(headTailOfParts([text.slice(0, 100), text.slice(100)], max))).toBe(true);
    }
  });

  it('the outline of a cell holding an emoji line, and an output summary', () => {
    const nb = {
      cells: [
        { cell_type: 'code', source: `'${EMOJI.repeat(100)}'`, metadata: {}, outputs: [], execution_count: null },
        { cell_type: 'code', source: EMOJI.repeat(100), metadata: {}, outputs: [], execution_count: null }
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5
    } as any;
    const [quoted, bare] = outlineNotebook(nb);
    expect(quoted.firstLines).toEqual([`'${EMOJI.repeat(59)}…`]);
    expect(bare.firstLines).toEqual([`${EMOJI.repeat(59)}…`]);
    const summary = describeOutput({
      output_type: 'execute_result',
      data: { 'text/plain': EMOJI.repeat(300) },
      metadata: {},
      execution_count: 1
    } as any);
    expect(summary).toBe(`${EMOJI.repeat(39)}…`);
  });

  it('titles, kernel summaries and the ledger', () => {
    const turn = { id: 'q', role: 'user', text: `${EMOJI}`.repeat(60), thinking: '', status: 'done' } as any;
    const title = titleOf([turn]);
    expect(isWellFormed(title) && title.endsWith('…')).toBe(true);
    for (let budget = 1; budget < 40; budget++) {
      const failure = { ok: false, reason: 'error', message: EMOJI.repeat(100) } as any;
      expect(isWellFormed(formatKernelSummary(failure, budget))).toBe(true);
    }
    const rows = buildLedger([hypothesis({ statement: FAMILY.repeat(60) })], 'bh');
    for (let max = 50; max < 700; max += 3) {
      expect(isWellFormed(ledgerForClaude(rows, 'bh', max))).toBe(true);
    }
  });

  it('the request to the Messages API and the saved chat carry no lone surrogate', () => {
    const conversation = new Conversation({
      client: {} as any,
      settings: () => DEFAULT_SETTINGS
    });
    conversation.restore({
      id: 'c1',
      created: '2026-01-01T00:00:00.000Z',
      removedTurnIds: [],
      turns: [
        {
          id: 'q1',
          role: 'user',
          text: `half ${EMOJI[0]} an emoji`,
          thinking: '',
          status: 'done',
          context: { stableText: `x${EMOJI[1]}`, volatileText: 'v', images: [], parts: [], omitted: [] } as any
        },
        { id: 'a1', role: 'assistant', text: `ok ${EMOJI}`, thinking: '', status: 'done' }
      ]
    });
    const request = JSON.stringify(conversation.buildRequest());
    expect(request).toContain(EMOJI);
    const strings: string[] = [];
    JSON.parse(request, (_k, v) => {
      if (typeof v === 'string') {
        strings.push(v);
      }
      return v;
    });
    expect(strings.filter(s => !isWellFormed(s))).toEqual([]);
    expect(strings.some(s => s.includes('half \ufffd an emoji'))).toBe(true);
    const stored = toStored(conversation, 'a.ipynb');
    expect(stored.turns[0].text).toBe('half \ufffd an emoji');
    expect(stored.turns[0].context!.stableText).toBe('x\ufffd');
  });
});
