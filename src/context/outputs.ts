/*
 * Summarising one notebook output for Claude: text clipped, tracebacks collapsed, tables made
 * compact, images described and offered as image blocks (./images), errors with their tracebacks
 * (./traceback), everything else named.
 */
import type { IOutput, IMimeBundle } from '@jupyterlab/nbformat';
import { clipText, cutText } from '../unicode';
import { describeImage, type IImageCandidate, type IImageOptions, imageCandidate, imageSize, svgSize } from './images';
import { redactSecrets } from './redact';
import { htmlToText, readHtmlTable, readShape, renderTable } from './table';
import {
  CHARS_PER_TOKEN,
  estimateTokens,
  formatBytes,
  formatCount,
  formatNumber,
  headTail,
  headTailOfParts,
  joinMultiline,
  lineCount,
  stripAnsi
} from './text';
import { errorText } from './traceback';

/**
 * What an output is, as far as Claude is concerned.
 */
export type OutputKind = 'text' | 'error' | 'table' | 'image' | 'widget' | 'javascript' | 'html' | 'other';

/**
 * One output as Claude will read it.
 */
export interface IOutputSummary {
  kind: OutputKind;
  /** Text to send, secrets redacted. For images, a one-line description. */
  text: string;
  /** Estimated tokens of `text` (an image's own tokens are in `image.tokens`). */
  tokens: number;
  /** Whether something was left out of `text`. */
  truncated: boolean;
  /** Secrets replaced in `text`. */
  redactions: number;
  /** For image outputs, the image to offer as an image block. */
  image?: IImageCandidate;
}

/**
 * Options for summarising outputs.
 */
export type IOutputOptions = IImageOptions;

/**
 * The MIME type of ipywidgets views.
 */
export const WIDGET_MIME = 'application/vnd.jupyter.widget-view+json';

/**
 * Summarise one output within `budgetTokens` (an image's own tokens are not counted here).
 */
export function summariseOutput(output: IOutput, budgetTokens: number, options: IOutputOptions = {}): IOutputSummary {
  const maxChars = Math.max(0, Math.floor(budgetTokens * CHARS_PER_TOKEN));
  switch (output.output_type) {
    case 'stream': {
      const parts = Array.isArray(output.text) ? (output.text as string[]) : [String(output.text ?? '')];
      const clippedText = stripAnsi(headTailOfParts(parts, maxChars, parts.length > 1));
      const whole = parts.reduce((n, part) => n + part.length, 0) <= maxChars;
      return Private.finish('text', clippedText, !whole, budgetTokens);
    }
    case 'error':
      return Private.clipped('error', errorText(output), budgetTokens);
    case 'execute_result':
    case 'display_data':
    case 'update_display_data':
      return Private.summariseBundle((output.data ?? {}) as IMimeBundle, budgetTokens, maxChars, options);
    default:
      return Private.finish('other', `output of type ${String(output.output_type)}`, false, budgetTokens);
  }
}

/**
 * A one-line description of an output for the notebook outline, e.g. `DataFrame 1,000 rows × 12
 * cols`, `error: KeyError 'x'`, `image/png 640×480`, `stream 2,345 lines`. Secrets redacted.
 *
 * Cheap on large outputs: it counts and peeks, it does not parse.
 */
export function describeOutput(output: IOutput): string {
  return redactSecrets(Private.describe(output)).text;
}

namespace Private {
  const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/svg+xml'];
  const TEXT_TYPES = ['text/markdown', 'text/latex', 'application/json'];

  export function finish(
    kind: OutputKind,
    raw: string,
    truncated: boolean,
    budgetTokens: number,
    image?: IImageCandidate
  ): IOutputSummary {
    const redaction = redactSecrets(raw);
    let text = redaction.text;
    let tokens = estimateTokens(text);
    // A marker can be longer than the secret it replaced: clip again if that tipped us over.
    while (tokens > budgetTokens && text.length > 0) {
      text = headTail(text, Math.floor(text.length * Math.min(0.9, budgetTokens / tokens)));
      tokens = estimateTokens(text);
      truncated = true;
    }
    return { kind, text, tokens, truncated, redactions: redaction.count, image };
  }

  export function clipped(kind: OutputKind, text: string, budgetTokens: number): IOutputSummary {
    const maxChars = Math.max(0, Math.floor(budgetTokens * CHARS_PER_TOKEN));
    const clippedText = headTail(text, maxChars);
    return finish(kind, clippedText, clippedText !== text, budgetTokens);
  }

  export function summariseBundle(
    data: IMimeBundle,
    budgetTokens: number,
    maxChars: number,
    options: IOutputOptions
  ): IOutputSummary {
    const mime = chooseMime(data);
    if (!mime) {
      return finish('other', 'empty output', false, budgetTokens);
    }
    const value = data[mime];
    if (mime === WIDGET_MIME) {
      return finish('widget', widgetName(value), false, budgetTokens);
    }
    if (IMAGE_TYPES.includes(mime)) {
      const image = imageCandidate(mime, joinMultiline(value as any), options);
      return finish('image', describeImage(image), false, budgetTokens, image);
    }
    if (mime === 'application/javascript') {
      const code = joinMultiline(value as any);
      return finish('javascript', `JavaScript output (${formatCount(code.length, 'character')})`, false, budgetTokens);
    }
    if (mime === 'text/html') {
      const html = joinMultiline(value as any);
      const table = readHtmlTable(html);
      if (table && (table.rows.length || table.header.length)) {
        const rendered = renderTable(table, budgetTokens);
        const clippedText = headTail(rendered.text, maxChars);
        return finish('table', clippedText, rendered.truncated || clippedText !== rendered.text, budgetTokens);
      }
      return clipped('html', htmlToText(html), budgetTokens);
    }
    if (mime === 'text/plain' || TEXT_TYPES.includes(mime)) {
      const text =
        typeof value === 'string' || Array.isArray(value)
          ? joinMultiline(value as any)
          : JSON.stringify(value, null, 1);
      return clipped('text', stripAnsi(text), budgetTokens);
    }
    return finish('other', `${mime} output (${formatBytes(sizeOf(value))})`, false, budgetTokens);
  }

  /**
   * The representation Claude learns most from, in order of preference.
   */
  export function chooseMime(data: IMimeBundle): string | undefined {
    const types = Object.keys(data);
    if (types.includes(WIDGET_MIME)) {
      return WIDGET_MIME;
    }
    const image = IMAGE_TYPES.find(t => types.includes(t));
    if (image) {
      return image;
    }
    const html = types.includes('text/html') ? joinMultiline(data['text/html'] as any) : '';
    if (html && /<table[\s>]/i.test(html)) {
      return 'text/html';
    }
    if (types.includes('application/javascript')) {
      return 'application/javascript';
    }
    const text = TEXT_TYPES.find(t => types.includes(t));
    if (text) {
      return text;
    }
    const plain = types.includes('text/plain') ? joinMultiline(data['text/plain'] as any) : undefined;
    // IPython's `<IPython.core.display.HTML object>` says nothing; the HTML says more.
    if (plain !== undefined && !(html && /^<[\w.]+ object>$/.test(plain.trim()))) {
      return 'text/plain';
    }
    if (html) {
      return 'text/html';
    }
    return types.sort()[0];
  }

  export function widgetName(value: unknown): string {
    const id = (value as { model_id?: string } | null)?.model_id;
    return `ipywidgets widget ${id ?? '(no model id)'}`;
  }

  export function describe(output: IOutput): string {
    switch (output.output_type) {
      case 'stream': {
        const lines = multilineCount(output.text as any);
        const name = String(output.name ?? 'stream');
        // Join only when it is short: a long stream is thousands of pieces.
        const text = lines <= 1 ? joinMultiline(output.text as any) : '';
        if (lines <= 1 && text.length <= 80) {
          return `${name}: ${stripAnsi(text).trim()}`;
        }
        return `${name} ${formatCount(lines, 'line')}`;
      }
      case 'error': {
        const evalue = stripAnsi(String(output.evalue ?? '')).split('\n')[0];
        return `error: ${String(output.ename ?? 'Error')} ${oneLine(evalue, 100)}`.trim();
      }
      case 'execute_result':
      case 'display_data':
      case 'update_display_data':
        return describeBundle((output.data ?? {}) as IMimeBundle);
      default:
        return String(output.output_type);
    }
  }

  function describeBundle(data: IMimeBundle): string {
    const mime = chooseMime(data);
    if (!mime) {
      return 'empty output';
    }
    const value = data[mime];
    if (mime === WIDGET_MIME) {
      return widgetName(value);
    }
    if (IMAGE_TYPES.includes(mime)) {
      const stored = joinMultiline(value as any);
      if (mime === 'image/svg+xml') {
        const size = svgSize(stored);
        return size ? `${mime} ${size.width}×${size.height}` : mime;
      }
      const size = imageSize(mime, stored.indexOf('\n') < 0 ? stored : stored.replace(/\s+/g, ''));
      return size ? `${mime} ${size.width}×${size.height}` : mime;
    }
    if (mime === 'text/html') {
      const html = joinMultiline(value as any);
      const shape = readShape(html.slice(-2000));
      const isFrame = /class\s*=\s*["'][^"']*\bdataframe\b/i.test(html.slice(0, 4000));
      const label = isFrame ? 'DataFrame' : 'table';
      if (shape) {
        return `${label} ${formatNumber(shape.rows)} rows × ${formatNumber(shape.columns)} cols`;
      }
      if (html.length <= 200_000) {
        const table = readHtmlTable(html);
        if (table) {
          const rows = table.rows.length;
          const widest = Math.max(0, ...table.header.map(r => r.length), ...table.rows.map(r => r.length));
          const cols = isFrame ? Math.max(0, widest - 1) : widest;
          return `${label} ${formatNumber(rows)} rows × ${formatNumber(cols)} cols`;
        }
        return `html: ${oneLine(htmlToText(html), 80)}`;
      }
      return `html ${formatBytes(html.length)}`;
    }
    if (mime === 'application/javascript') {
      return `javascript ${formatCount(joinMultiline(value as any).length, 'char')}`;
    }
    if (mime === 'text/plain' || TEXT_TYPES.includes(mime)) {
      const text =
        typeof value === 'string' || Array.isArray(value) ? joinMultiline(value as any) : JSON.stringify(value);
      const lines = lineCount(text);
      const first = oneLine(stripAnsi(cutText(text, 400)).split('\n')[0], 80);
      return lines > 1 ? `${first} … (${formatCount(lines, 'line')})` : first;
    }
    return `${mime} ${formatBytes(sizeOf(value))}`;
  }

  function multilineCount(value: string | string[] | undefined): number {
    if (!value) {
      return 0;
    }
    if (!Array.isArray(value)) {
      return lineCount(value);
    }
    if (value.length === 1) {
      return lineCount(value[0]);
    }
    // nbformat splits multiline strings at line ends, one line per entry: no need to scan.
    return value.length - (value[value.length - 1] === '' ? 1 : 0);
  }

  export function oneLine(text: string, max: number): string {
    const flat = text.replace(/\s+/g, ' ').trim();
    return clipText(flat, max);
  }

  function sizeOf(value: unknown): number {
    if (typeof value === 'string') {
      return value.length;
    }
    if (Array.isArray(value)) {
      return value.reduce((n: number, piece: unknown) => n + String(piece).length, 0);
    }
    return JSON.stringify(value ?? null).length;
  }
}
