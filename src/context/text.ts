/*
 * Plain-text helpers for what Claude reads: ANSI stripping, token estimates and head+tail elision.
 */
import { cutText, cutTextEnd } from '../unicode';

/**
 * Characters per token assumed for prose and code.
 *
 * Claude's tokenizer is not public and we take no tokenizer dependency, so we estimate:
 * about 3.5 ASCII characters per token for English prose and code, and one token per
 * non-ASCII character (accents, CJK, box drawing, emoji) to stay on the safe side.
 * Digit-heavy text tokenizes a little worse than prose; the budget keeps a margin for that.
 * The estimate is additive (the estimate of a concatenation never exceeds the sum of the
 * estimates of its parts), which is what lets the budget add blocks up safely.
 */
export const CHARS_PER_TOKEN = 3.5;

/**
 * Remove ANSI escape sequences (colours from IPython tracebacks, progress bars).
 */
export function stripAnsi(text: string): string {
  if (text.indexOf('\x1b') < 0 && text.indexOf('\x9b') < 0) {
    return text;
  }
  return text.replace(Private.ANSI, '');
}

/**
 * Estimate how many tokens Claude will count for a text (see `CHARS_PER_TOKEN`).
 */
export function estimateTokens(text: string): number {
  if (!text) {
    return 0;
  }
  let nonAscii = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 127) {
      nonAscii++;
    }
  }
  return Math.ceil((text.length - nonAscii) / CHARS_PER_TOKEN + nonAscii);
}

/**
 * A quick size estimate for large texts we only report on, never send (ASCII assumed).
 */
export function approximateTokens(length: number): number {
  return Math.ceil(length / CHARS_PER_TOKEN);
}

/**
 * Keep the head and the tail of a text within `maxChars`, replacing the middle with a line
 * that says how much was left out, so Claude knows the text is incomplete.
 *
 * Cuts fall on line ends when a line end is near; a single huge line is cut mid-line.
 */
export function headTail(text: string, maxChars: number): string {
  return headTailOfParts([text], maxChars);
}

/**
 * `headTail` of the concatenation of `parts`, without joining them: nbformat stores a long
 * stream as one string per line, and joining megabytes only to keep a few kilobytes is waste.
 *
 * @param linePerPart - the parts are lines split at their ends, as nbformat stores them, so
 *   line breaks can be counted without scanning.
 */
export function headTailOfParts(parts: string[], maxChars: number, linePerPart = false): string {
  let total = 0;
  for (const part of parts) {
    total += part.length;
  }
  if (total <= maxChars) {
    return parts.length === 1 ? parts[0] : parts.join('');
  }
  const room = maxChars - Private.MARKER_ROOM;
  if (room < 2) {
    return maxChars > 1 ? cutText(Private.headWindow(parts, maxChars - 1), maxChars - 1) + '…' : '';
  }
  const headBudget = Math.ceil(room / 2);
  const tailBudget = room - headBudget;

  // Both cuts keep every character whole (half an emoji is not Unicode: see ../unicode).
  let head = cutText(Private.headWindow(parts, headBudget), headBudget);
  const headCut = head.lastIndexOf('\n');
  if (headCut >= headBudget / 2) {
    head = head.slice(0, headCut + 1);
  }
  const tailWindow = Private.tailWindow(parts, tailBudget + 1);
  let tail = tailBudget > 0 ? cutTextEnd(tailWindow, tailBudget) : '';
  const tailCut = tail.indexOf('\n');
  if (tailCut >= 0 && tailCut < tailBudget / 2) {
    tail = tail.slice(tailCut + 1);
  }
  const elidedChars = total - head.length - tail.length;
  let newlines = 0;
  if (linePerPart) {
    newlines = parts.length - (parts[parts.length - 1].endsWith('\n') ? 0 : 1);
  } else {
    for (const part of parts) {
      newlines += countLines(part);
    }
  }
  let elidedLines = newlines - countLines(head) - countLines(tail);
  const beforeTail = tailWindow.charCodeAt(tailWindow.length - tail.length - 1);
  if (elidedChars > 0 && beforeTail !== 10) {
    elidedLines++;
  }
  const marker = `… [${formatCount(elidedLines, 'line')} / ${formatCount(elidedChars, 'character')} elided] …`;
  const before = head.endsWith('\n') || head === '' ? '' : '\n';
  return `${head}${before}${marker}\n${tail}`;
}

/**
 * Count line breaks between two offsets, without copying the text.
 */
export function countLines(text: string, start = 0, end = text.length): number {
  let count = 0;
  let at = text.indexOf('\n', start);
  while (at >= 0 && at < end) {
    count++;
    at = text.indexOf('\n', at + 1);
  }
  return count;
}

/**
 * Lines in a text as a reader counts them (a trailing newline does not start a new line).
 */
export function lineCount(text: string): number {
  if (!text) {
    return 0;
  }
  return countLines(text) + (text.endsWith('\n') ? 0 : 1);
}

/**
 * `1,234` with thousands separators, independent of the locale.
 */
export function formatNumber(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * `1 line`, `1,234 lines`.
 */
export function formatCount(value: number, noun: string): string {
  return `${formatNumber(value)} ${noun}${value === 1 ? '' : 's'}`;
}

/**
 * A byte size a scientist reads at a glance: `512 B`, `34 KB`, `2.1 MB`.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  if (bytes < 1024 * 1024) {
    return `${Math.round(bytes / 1024)} KB`;
  }
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * Join an nbformat multiline string (a string or a list of lines).
 */
export function joinMultiline(value: string | string[] | undefined | null): string {
  if (value === undefined || value === null) {
    return '';
  }
  return Array.isArray(value) ? value.join('') : String(value);
}

namespace Private {
  // CSI and OSC sequences, plus the few two-character escapes terminals use.
  export const ANSI =
    // eslint-disable-next-line no-control-regex
    /[\x1b\x9b](?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;

  /**
   * At least the first `chars` characters of the parts joined (all of them if shorter).
   */
  export function headWindow(parts: string[], chars: number): string {
    const taken: string[] = [];
    let length = 0;
    for (let i = 0; i < parts.length && length < chars; i++) {
      taken.push(parts[i]);
      length += parts[i].length;
    }
    return taken.join('');
  }

  /**
   * At least the last `chars` characters of the parts joined (all of them if shorter).
   */
  export function tailWindow(parts: string[], chars: number): string {
    const taken: string[] = [];
    let length = 0;
    for (let i = parts.length - 1; i >= 0 && length < chars; i--) {
      taken.push(parts[i]);
      length += parts[i].length;
    }
    return taken.reverse().join('');
  }

  // Room kept for the elision line, e.g. "… [12,345 lines / 1,234,567 characters elided] …\n".
  export const MARKER_ROOM = 64;
}
