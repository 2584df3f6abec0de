/*
 * Where a streaming Markdown answer can be cut: the finished blocks at its start render once
 * and are kept, the open rest re-renders as text arrives. Pure text logic, no DOM.
 *
 * A cut is made only where rendering the two sides apart gives exactly what rendering them
 * together gives through JupyterLab's pipeline (removeMath, marked, replaceMath, sanitizer):
 * at a block boundary of marked's own lexer (the parser JupyterLab uses) after a blank line,
 * with no raw HTML element, math span, or fenced region of removeMath open across it.
 */
import GithubSlugger from 'github-slugger';
import type { Token, TokensList } from 'marked';
import { Lexer, Parser, getDefaults } from 'marked';

export namespace MarkdownBlocks {
  /** How much of a text is settled. */
  export interface ICut {
    /** Length of the prefix that no text appended later can change. */
    settled: number;
    /**
     * The text has reference definitions (`[x]: url`): a block may depend on one written
     * after it, so the whole answer is rendered as one.
     */
    whole: boolean;
  }

  /**
   * The longest settled prefix of `text`, which starts at a settled cut (or is the whole answer).
   */
  export function cut(text: string): ICut {
    // Line breaks that marked and removeMath read differently: nothing is cut.
    if (/[\r\u2028\u2029]/.test(text)) {
      return { settled: 0, whole: false };
    }
    const tokens = lex(text);
    if (Object.keys(tokens.links).length) {
      return { settled: 0, whole: true };
    }
    // The lexer must have kept the text as it is, or offsets mean nothing.
    if (tokens.reduce((n, t) => n + t.raw.length, 0) !== text.length) {
      return { settled: 0, whole: false };
    }
    let last = tokens.length - 1;
    while (last >= 0 && tokens[last].type === 'space') {
      last--;
    }
    const fences = Private.fenceRegions(text);
    const html = new Private.TagStack();
    let settled = 0;
    let end = 0;
    for (let i = 0; i < last; i++) {
      end += tokens[i].raw.length;
      if (!html.push(Private.htmlOf(tokens[i]))) {
        break; // an element left open (or closed out of order) here may wrap what follows
      }
      if (tokens[i + 1].type === 'space') {
        continue; // the cut goes after the blank lines
      }
      // The next block's first line must be whole: `12` may yet become `12. item` and join a list.
      const lineDone = text.indexOf('\n', end) !== -1;
      if (lineDone && html.depth === 0 && Private.afterBlankLine(text, end) && fences.safe(end)) {
        settled = end;
      }
    }
    return { settled, whole: false };
  }

  /**
   * The heading ids marked-gfm-heading-id gives when the whole answer is parsed at once.
   * Each block is parsed alone (its slugger starts empty, its math is numbered from 0), so
   * an id can differ: a repeated heading, or math in a heading. This keeps the whole
   * answer's slugger and math count across blocks.
   */
  export class HeadingIds {
    /**
     * The ids a block's headings get alone (`local`) and within the whole answer (`global`).
     * `math` is what JupyterLab's removeMath makes of the block.
     */
    next(math: { text: string; math: string[] }): { local: string[]; global: string[] } {
      const offset = this._math;
      this._math += math.math.length;
      if (!/#|^ {0,3}(?:=+|-+)[ \t]*$/m.test(math.text)) {
        return { local: [], global: [] }; // no heading: nothing to lex
      }
      const local = new GithubSlugger();
      const shifted = math.text.replace(/@@(\d+)@@/g, (_, n: string) => `@@${Number(n) + offset}@@`);
      return {
        local: Private.headingTexts(math.text).map(t => local.slug(t)),
        global: Private.headingTexts(shifted).map(t => this._slugger.slug(t))
      };
    }

    private _slugger = new GithubSlugger();
    private _math = 0;
  }

  /** One step of a streaming answer: what to render once and keep, what to render for now. */
  export interface IStep {
    /** What was rendered is no longer a start of the text (or it all renders as one): clear it. */
    reset: boolean;
    /** Text to render once and keep after what was kept before (may be empty). */
    settle: string;
    /** The open rest, to render until the next step replaces it (may be empty). */
    open: string;
  }

  /**
   * Follows a growing answer and says, at each step, which text has become settled.
   */
  export class Splitter {
    /** `text` is the whole answer so far; `final` once it is complete. */
    next(text: string, final: boolean): IStep {
      let reset = false;
      if (!text.startsWith(this._settled) || (this._final && text !== this._settled)) {
        this._settled = '';
        this._whole = false;
        reset = true;
      }
      this._final = final;
      let tail = text.slice(this._settled.length);
      let settled = 0;
      if (!this._whole) {
        const found = cut(tail);
        if (found.whole) {
          this._whole = true;
          reset = reset || this._settled !== '';
          this._settled = '';
          tail = text;
        } else {
          settled = found.settled;
        }
      }
      if (final) {
        settled = tail.length;
      }
      // A slice of the text, not an appended copy: the check above then reads it as it is,
      // without first copying a growing string of appended pieces on every step.
      this._settled = text.slice(0, text.length - tail.length + settled);
      return { reset, settle: tail.slice(0, settled), open: tail.slice(settled) };
    }

    /** Render everything as one block from now on (no Markdown parser to cut for). */
    renderWhole(): void {
      this._whole = true;
    }

    private _settled = '';
    private _whole = false;
    private _final = false;
  }

  /** Marked's tokens for `text`, with marked's own defaults plus GFM, as JupyterLab parses. */
  export function lex(text: string): TokensList {
    return Lexer.lex(text, { ...getDefaults(), gfm: true });
  }
}

namespace Private {
  /** The text before `end` finishes with a blank line (removeMath ends math there). */
  export function afterBlankLine(text: string, end: number): boolean {
    let newlines = 0;
    for (let i = end - 1; i >= 0 && /\s/.test(text[i]); i--) {
      if (text[i] === '\n' && ++newlines === 2) {
        return true;
      }
    }
    return false;
  }

  /** The raw HTML in a token and its children, in order. */
  export function htmlOf(token: Token): string[] {
    const out: string[] = [];
    visitTokens(token, ['tokens', 'items', 'header', 'rows'], t => {
      if (t.type === 'html' && typeof t.raw === 'string') {
        out.push(t.raw);
        return true;
      }
      return false;
    });
    return out;
  }

  /**
   * Visit the tokens of a tree through the given child keys, depth first; a visit that
   * returns true does not descend into that token.
   */
  export function visitTokens(node: unknown, keys: string[], visit: (token: Record<string, unknown>) => boolean): void {
    if (Array.isArray(node)) {
      node.forEach(child => visitTokens(child, keys, visit));
      return;
    }
    if (!node || typeof node !== 'object') {
      return;
    }
    const t = node as Record<string, unknown>;
    if (visit(t)) {
      return;
    }
    for (const key of keys) {
      if (key in t) {
        visitTokens(t[key], keys, visit);
      }
    }
  }

  const VOID = new Set([
    'area',
    'base',
    'br',
    'col',
    'embed',
    'hr',
    'img',
    'input',
    'keygen',
    'link',
    'meta',
    'param',
    'source',
    'track',
    'wbr'
  ]);
  const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^>]*?)?(\/?)>/g;
  const COMPLETE_MARKUP = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g;

  /**
   * Open elements across the raw HTML of consecutive blocks. Anything it cannot follow
   * (an unclosed comment, a close out of order, a tag it would have to imply) counts as
   * never closing: the blocks after it stay with it.
   */
  export class TagStack {
    get depth(): number {
      return this._stack.length;
    }

    /** Follow more raw HTML; false once it can no longer be followed. */
    push(raws: string[]): boolean {
      if (this._broken) {
        return false;
      }
      for (const raw of raws) {
        const text = raw.replace(COMPLETE_MARKUP, '');
        if (/<[!?]/.test(text)) {
          this._broken = true; // a comment, declaration or instruction that runs on
          return false;
        }
        for (const match of text.matchAll(TAG)) {
          const [, close, rawName, selfClosing] = match;
          const name = rawName.toLowerCase();
          const foreign = this._stack.some(n => n === 'svg' || n === 'math');
          if (close) {
            if (this._stack.pop() !== name) {
              this._broken = true;
              return false;
            }
          } else if (!VOID.has(name) && !(selfClosing && foreign)) {
            this._stack.push(name);
          }
        }
      }
      return true;
    }

    private _stack: string[] = [];
    private _broken = false;
  }

  /**
   * removeMath treats a line-start run of backticks or tildes as a fence up to the next
   * such line (its own regular expression, not marked's), and takes no math inside. A cut
   * must not fall inside one, nor after an opener that a later line could still close.
   */
  export function fenceRegions(text: string): { safe: (at: number) => boolean } {
    // The same expression as removeMath's (there `~` is first rewritten to `~T`).
    const fence = /^(?<fence>`{3,}|~{3,})[^`\n]*\n([\s\S]*?)^\k<fence>`*$/gm;
    const opener = /^(`{3,}|~{3,})[^`\n]*\n/gm;
    const regions: [number, number][] = [];
    let firstUnmatched = Infinity;
    let from = 0;
    const scanGap = (start: number, stop: number) => {
      if (firstUnmatched !== Infinity) {
        return;
      }
      opener.lastIndex = start;
      const found = opener.exec(text);
      if (found && found.index < stop) {
        firstUnmatched = found.index;
      }
    };
    for (const match of text.matchAll(fence)) {
      scanGap(from, match.index);
      regions.push([match.index, match.index + match[0].length]);
      from = match.index + match[0].length;
    }
    scanGap(from, text.length);
    return {
      safe: (at: number) => at <= firstUnmatched && regions.every(([start, stop]) => at <= start || at >= stop)
    };
  }

  /** The text marked-gfm-heading-id slugs for each heading of `text`, in document order. */
  export function headingTexts(text: string): string[] {
    const out: string[] = [];
    const options = { ...getDefaults(), gfm: true };
    visitTokens(MarkdownBlocks.lex(text), ['tokens', 'items'], t => {
      if (t.type === 'heading') {
        const html = Parser.parseInline(t.tokens as Token[], options);
        out.push(
          unescape(html)
            .trim()
            .replace(/<[!/a-z].*?>/gi, '')
            .toLowerCase()
        );
        return true;
      }
      return false;
    });
    return out;
  }

  /** marked-gfm-heading-id's own unescape (entities back to characters). */
  function unescape(html: string): string {
    return html.replace(/&(#(?:\d+)|(?:#x[0-9A-Fa-f]+)|(?:\w+));?/gi, (_, n: string) => {
      n = n.toLowerCase();
      if (n === 'colon') {
        return ':';
      }
      if (n.charAt(0) === '#') {
        return n.charAt(1) === 'x'
          ? String.fromCharCode(parseInt(n.substring(2), 16))
          : String.fromCharCode(+n.substring(1));
      }
      return '';
    });
  }
}
