/*
 * Reading HTML tables (pandas `DataFrame._repr_html_`) without a DOM, and writing them back as
 * compact text tables.
 */
import { estimateTokens, formatNumber } from './text';

/**
 * A table read from HTML.
 */
export interface IHtmlTable {
  /** Header rows (from `<thead>`, or leading rows made only of `<th>`). */
  header: string[][];
  /** Body rows, in order; pandas' own `...` elision rows are kept as they are. */
  rows: string[][];
  /** Rows and columns of the whole frame when pandas printed `N rows × M columns`. */
  shape: { rows: number; columns: number } | null;
  /** Whether the HTML looks like a pandas DataFrame. */
  isDataFrame: boolean;
}

/**
 * Read the first `<table>` of an HTML fragment, or null when there is none.
 *
 * Tolerant of what notebooks hold: unclosed cells and rows, `<style>` blocks, nested tags
 * and entities; it does not try to be a full HTML parser.
 */
export function readHtmlTable(html: string): IHtmlTable | null {
  const start = html.search(/<table[\s>]/i);
  if (start < 0) {
    return null;
  }
  const endTag = html.slice(start).search(/<\/table\s*>/i);
  const tableHtml = endTag < 0 ? html.slice(start) : html.slice(start, start + endTag);
  const header: string[][] = [];
  const rows: string[][] = [];
  let section: 'head' | 'body' = 'body';
  let row: string[] | null = null;
  let rowIsHeaderOnly = true;
  let cell: string[] | null = null;
  let nested = 0;

  const closeCell = () => {
    if (row && cell) {
      row.push(cleanCellText(cell.join('')));
    }
    cell = null;
  };
  const closeRow = () => {
    closeCell();
    if (row && row.length) {
      const inHeader = section === 'head' || (rowIsHeaderOnly && rows.length === 0);
      (inHeader ? header : rows).push(row);
    }
    row = null;
  };

  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>|<!--[\s\S]*?-->/g;
  let last = 0;
  let match: RegExpExecArray | null;
  while ((match = tag.exec(tableHtml))) {
    if (cell) {
      (cell as string[]).push(tableHtml.slice(last, match.index));
    }
    last = tag.lastIndex;
    const name = (match[2] || '').toLowerCase();
    const closing = match[1] === '/';
    if (!name) {
      continue;
    }
    if (name === 'style' || name === 'script') {
      // Skip their content entirely.
      const end = tableHtml.slice(last).search(new RegExp(`</${name}\\s*>`, 'i'));
      last = end < 0 ? tableHtml.length : last + end;
      tag.lastIndex = last;
      continue;
    }
    if (name === 'table') {
      nested += closing ? -1 : 1;
      continue;
    }
    if (nested > 1) {
      continue;
    }
    if (name === 'thead') {
      closeRow();
      section = closing ? 'body' : 'head';
    } else if (name === 'tbody' || name === 'tfoot') {
      closeRow();
      section = 'body';
    } else if (name === 'tr') {
      closeRow();
      if (!closing) {
        row = [];
        rowIsHeaderOnly = true;
      }
    } else if (name === 'th' || name === 'td') {
      closeCell();
      if (!closing) {
        if (!row) {
          row = [];
          rowIsHeaderOnly = true;
        }
        if (name === 'td') {
          rowIsHeaderOnly = false;
        }
        cell = [];
        const span = /colspan\s*=\s*["']?(\d+)/i.exec(match[3]);
        for (let i = 1; i < (span ? Math.min(Number(span[1]), 50) : 1); i++) {
          row.push('');
        }
      }
    } else if (name === 'br' && cell) {
      (cell as string[]).push(' ');
    }
  }
  if (cell) {
    (cell as string[]).push(tableHtml.slice(last));
  }
  closeRow();

  return {
    header,
    rows,
    shape: readShape(html),
    isDataFrame: /class\s*=\s*["'][^"']*\bdataframe\b/i.test(tableHtml)
  };
}

/**
 * The `N rows × M columns` pandas prints under a truncated frame, or null.
 */
export function readShape(html: string): { rows: number; columns: number } | null {
  const shape = /(\d[\d,]*)\s+rows\s*(?:×|&times;|x)\s*(\d[\d,]*)\s+columns/i.exec(html);
  if (!shape) {
    return null;
  }
  return {
    rows: Number(shape[1].replace(/,/g, '')),
    columns: Number(shape[2].replace(/,/g, ''))
  };
}

/**
 * Write a table as compact pipe-separated text within `maxTokens`: header, then as many of
 * the first and last rows as fit, with the number of rows left out in between.
 */
export function renderTable(table: IHtmlTable, maxTokens: number): { text: string; truncated: boolean } {
  const rowCount = table.shape?.rows ?? table.rows.filter(r => !Private.isEllipsisRow(r)).length;
  const columnCount = table.shape?.columns ?? Private.columnCount(table);
  const title = `${table.isDataFrame ? 'DataFrame' : 'Table'} ${formatNumber(
    rowCount
  )} rows × ${formatNumber(columnCount)} columns`;
  const header = table.header.map(Private.line);
  const render = (keep: number): string => {
    const lines = [title, ...header];
    if (keep >= table.rows.length) {
      lines.push(...table.rows.map(Private.line));
    } else {
      const head = Math.ceil(keep / 2);
      const tail = keep - head;
      lines.push(...table.rows.slice(0, head).map(Private.line));
      lines.push(`… ${formatNumber(table.rows.length - keep)} more rows shown in the notebook …`);
      if (tail > 0) {
        lines.push(...table.rows.slice(table.rows.length - tail).map(Private.line));
      }
    }
    return lines.join('\n');
  };
  let keep = table.rows.length;
  let text = render(keep);
  while (keep > 0 && estimateTokens(text) > maxTokens) {
    keep = keep > 20 ? Math.floor(keep / 2) : keep - 1;
    text = render(keep);
  }
  return { text, truncated: keep < table.rows.length };
}

/**
 * Turn an HTML fragment into readable text: tags dropped, entities decoded, blank runs folded.
 */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<(style|script)[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(br|\/p|\/div|\/tr|\/li|\/h[1-6])\s*\/?>/gi, '\n')
    .replace(/<\/t[dh]\s*>/gi, '\t')
    .replace(/<[^>]+>/g, '');
  return decodeEntities(text)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Decode the HTML entities notebooks use (named basics and numeric ones).
 */
export function decodeEntities(text: string): string {
  if (text.indexOf('&') < 0) {
    return text;
  }
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code =
        entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
    }
    return Private.ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

/**
 * Collapse a cell's inner HTML to one line of text.
 */
function cleanCellText(html: string): string {
  return decodeEntities(html.replace(/<[^>]+>/g, ''))
    .replace(/\s+/g, ' ')
    .trim();
}

namespace Private {
  export const ENTITIES: { [name: string]: string } = {
    amp: '&',
    lt: '<',
    gt: '>',
    quot: '"',
    apos: "'",
    nbsp: ' ',
    times: '×',
    hellip: '…',
    mdash: '—',
    ndash: '–',
    minus: '−'
  };

  export function line(cells: string[]): string {
    return `| ${cells.join(' | ')} |`;
  }

  export function isEllipsisRow(cells: string[]): boolean {
    return cells.length > 0 && cells.every(c => c === '...' || c === '…' || c === '');
  }

  export function columnCount(table: IHtmlTable): number {
    // pandas puts the index in the first column of every row.
    const widest = Math.max(0, ...table.header.map(r => r.length), ...table.rows.map(r => r.length));
    return table.isDataFrame ? Math.max(0, widest - 1) : widest;
  }
}
