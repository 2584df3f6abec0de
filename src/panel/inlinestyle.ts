/*
 * Inline styles in model answers: what in CSS fetches from elsewhere, and a style with those
 * declarations taken out. Pure string work on attribute values; no DOM.
 */
export namespace InlineStyle {
  /** CSS that fetches: url(), image-set(), @import and kin, after escapes are decoded. */
  export const FETCHES =
    /(?:^|[^a-z0-9_-])(?:-[a-z]+-)?(?:url|src|image|image-set|cross-fade|element|attr|expression|paint)\s*\(|@import|behavior\s*:|binding\s*:/i;

  /** CSS as the browser reads it: comments gone, escapes decoded, lower case. */
  export function decode(css: string): string {
    return css
      .replace(/\/\*[\s\S]*?(\*\/|$)/g, '')
      .replace(/\\([0-9a-f]{1,6})[ \t\n\r\f]?/gi, (_, hex: string) => {
        const code = parseInt(hex, 16);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
      })
      .replace(/\\\r?\n/g, '')
      .replace(/\\(.)/g, '$1')
      .toLowerCase();
  }

  export function onlyFragmentUrls(css: string): boolean {
    const refs = css.match(/url\s*\(\s*(['"]?)([^'")]*)/g) ?? [];
    return refs.every(ref => /url\s*\(\s*['"]?#/.test(ref));
  }

  /**
   * Keep the declarations of an inline style that fetch nothing; null if none are left or
   * what is left still looks like it could fetch.
   */
  export function clean(style: string): string | null {
    if (!FETCHES.test(decode(style))) {
      return style.trim() || null;
    }
    const kept = declarations(style).filter(d => !FETCHES.test(decode(d)));
    const joined = kept
      .map(d => d.trim())
      .filter(Boolean)
      .join('; ');
    if (!joined || FETCHES.test(decode(joined))) {
      return null;
    }
    return joined;
  }

  /** Split a style attribute on the semicolons outside strings, parentheses and escapes. */
  export function declarations(style: string): string[] {
    const out: string[] = [];
    let current = '';
    let quote: string | null = null;
    let depth = 0;
    for (let i = 0; i < style.length; i++) {
      const c = style[i];
      if (c === '\\') {
        current += c + (style[i + 1] ?? '');
        i++;
        continue;
      }
      if (quote) {
        if (c === quote) {
          quote = null;
        }
      } else if (c === '"' || c === "'") {
        quote = c;
      } else if (c === '(') {
        depth++;
      } else if (c === ')') {
        depth = Math.max(0, depth - 1);
      } else if (c === ';' && depth === 0) {
        out.push(current);
        current = '';
        continue;
      }
      current += c;
    }
    out.push(current);
    return out;
  }

  /**
   * Whether an SVG presentation attribute (fill, filter, mask, ...) points at another document:
   * a url() that is not a reference within this one.
   */
  export function pointsElsewhere(value: string): boolean {
    const css = decode(value);
    return /url\s*\(/i.test(css) && !onlyFragmentUrls(css);
  }
}
