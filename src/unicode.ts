/*
 * Cutting text where a reader sees a character end.
 *
 * JavaScript strings are UTF-16: an emoji is two code units (a surrogate pair), a family or
 * a flag several code points. A cut by `.slice(0, n)` can leave half a pair, which is not
 * Unicode at all: the server cannot save it as UTF-8, and the Messages API receives it
 * too. Every truncation of text that reaches Claude, the saved chat or the screen goes
 * through here: cuts fall on grapheme boundaries (so a ZWJ family, a flag or a letter with
 * its accent stays whole), or on code points where a grapheme is unreasonably long or
 * `Intl.Segmenter` is missing.
 *
 * A leaf module: it imports nothing of ours, so every room may use it.
 */

/**
 * How far (in code units) a cut may move to keep a grapheme whole; past that (a letter
 * under hundreds of combining marks) it keeps code points whole only.
 */
const MAX_GRAPHEME_UNITS = 64;

/**
 * The largest offset `<= offset` where `text` can be cut.
 */
export function boundaryBefore(text: string, offset: number): number {
  if (offset <= 0) {
    return 0;
  }
  if (offset >= text.length) {
    return text.length;
  }
  const point = Private.splitsPair(text, offset) ? offset - 1 : offset;
  const segment = Private.segmentAt(text, point);
  if (segment && segment.index >= point - MAX_GRAPHEME_UNITS) {
    return segment.index;
  }
  return point;
}

/**
 * The smallest offset `>= offset` where `text` can be cut.
 */
export function boundaryAfter(text: string, offset: number): number {
  if (offset <= 0) {
    return 0;
  }
  if (offset >= text.length) {
    return text.length;
  }
  const point = Private.splitsPair(text, offset) ? offset + 1 : offset;
  const segment = Private.segmentAt(text, point);
  if (!segment || segment.index === point) {
    return point;
  }
  const end = segment.index + segment.segment.length;
  return end - point <= MAX_GRAPHEME_UNITS ? end : point;
}

/**
 * The longest start of `text` at most `maxUnits` code units long that ends on a boundary.
 */
export function cutText(text: string, maxUnits: number): string {
  return text.length <= maxUnits ? text : text.slice(0, boundaryBefore(text, Math.max(0, maxUnits)));
}

/**
 * The longest end of `text` at most `maxUnits` code units long that starts on a boundary.
 */
export function cutTextEnd(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) {
    return text;
  }
  return text.slice(boundaryAfter(text, text.length - Math.max(0, maxUnits)));
}

/**
 * `text` if it fits in `maxUnits` code units, else its start and `ellipsis`, within `maxUnits`.
 */
export function clipText(text: string, maxUnits: number, ellipsis = '…'): string {
  if (text.length <= maxUnits) {
    return text;
  }
  return cutText(text, maxUnits - ellipsis.length) + ellipsis;
}

/**
 * `text` with every lone surrogate (half of a character) replaced by U+FFFD.
 */
export function wellFormed(text: string): string {
  if (!Private.ANY_SURROGATE.test(text)) {
    return text;
  }
  return text.replace(Private.LONE_SURROGATE, '\ufffd');
}

/**
 * Whether `text` holds no lone surrogate.
 */
export function isWellFormed(text: string): boolean {
  return !Private.ANY_SURROGATE.test(text) || !Private.LONE_SURROGATE_ONE.test(text);
}

/**
 * A JSON-like value with `wellFormed` applied to every string in it, keys included. Parts
 * that need no change are returned as they are (no copy).
 */
export function wellFormedDeep<T>(value: T): T {
  if (typeof value === 'string') {
    return wellFormed(value) as T;
  }
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map(item => {
      const fixed = wellFormedDeep(item);
      changed = changed || fixed !== item;
      return fixed;
    });
    return (changed ? items : value) as T;
  }
  if (value !== null && typeof value === 'object' && Private.isPlain(value)) {
    let changed = false;
    const fields: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const fixedKey = wellFormed(key);
      const fixed = wellFormedDeep(item);
      changed = changed || fixed !== item || fixedKey !== key;
      fields[fixedKey] = fixed;
    }
    return (changed ? fields : value) as T;
  }
  return value;
}

namespace Private {
  export const ANY_SURROGATE = /[\ud800-\udfff]/;
  // Without the `u` flag, the classes match single code units: a high surrogate not
  // followed by a low one, or a low one not preceded by a high one.
  export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
  export const LONE_SURROGATE_ONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

  /**
   * Whether cutting at `offset` would separate a high surrogate from its low one.
   */
  export function splitsPair(text: string, offset: number): boolean {
    const before = text.charCodeAt(offset - 1);
    const after = text.charCodeAt(offset);
    return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
  }

  let segmenter: Intl.Segmenter | null | undefined;

  /**
   * The grapheme containing the code unit at `offset`, or null without `Intl.Segmenter`.
   */
  export function segmentAt(text: string, offset: number): Intl.SegmentData | null {
    if (segmenter === undefined) {
      segmenter =
        typeof Intl !== 'undefined' && typeof Intl.Segmenter === 'function'
          ? new Intl.Segmenter(undefined, { granularity: 'grapheme' })
          : null;
    }
    return segmenter?.segment(text).containing(offset) ?? null;
  }

  /** Test hook: pretend `Intl.Segmenter` is missing (code-point cuts only). */
  export function setSegmenter(value: Intl.Segmenter | null | undefined): void {
    segmenter = value;
  }

  export function isPlain(value: object): boolean {
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
  }
}

/**
 * Use code-point cuts only, as where `Intl.Segmenter` is missing (tests), or restore the default.
 */
export function useCodePointsOnly(codePointsOnly: boolean): void {
  Private.setSegmenter(codePointsOnly ? null : undefined);
}
