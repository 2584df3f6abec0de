/*
 * Remote content in model answers: nothing in an answer loads from another origin than the
 * Jupyter server's without the scientist's click.
 *
 * An answer is untrusted text (a prompt injection planted in a CSV or an output can write it),
 * and anything that loads on render leaks data in its URL. The rewrite runs inside the
 * sanitizer, on an inert document from DOMParser, so the HTML that reaches the live page never
 * holds a remote URL, not even for the moment between `innerHTML` and a later fix-up.
 */
import type { IRenderMime, IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import { InlineStyle } from './inlinestyle';

export namespace RemoteContent {
  export interface IOptions {
    /** The origin whose URLs may load (the Jupyter server's: the page's own). */
    origin: string;
    /** What relative URLs resolve against (the page's base URL). */
    base: string;
    /** Strings for the placeholders; untranslated English without it. */
    trans?: TranslationBundle;
  }

  /** The page's own origin and base URL. */
  export function pageOptions(trans?: TranslationBundle): IOptions {
    return { origin: window.location.origin, base: document.baseURI, trans };
  }

  /** What a URL in an answer may do. */
  export type Kind = 'local' | 'image-data' | 'remote';

  /**
   * Classify a URL as the browser would parse it: the same origin as the page, a data: image
   * of a raster type, or anything else ("remote": other origins, other schemes, unparsable).
   */
  export function classify(raw: string, options: IOptions): Kind {
    let url: URL;
    try {
      url = new URL(raw, options.base);
    } catch {
      return 'remote';
    }
    if (url.protocol === 'data:') {
      return /^data:image\/(png|jpeg|gif|webp)[;,]/i.test(url.href) ? 'image-data' : 'remote';
    }
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.origin === options.origin) {
      return 'local';
    }
    return 'remote';
  }

  /**
   * Rewrite sanitized HTML so it loads nothing from another origin: remote images become
   * placeholders naming their host, remote media, frames, styles and CSS URLs are removed,
   * links open in a new tab without a referrer. The input is parsed in an inert document.
   */
  export function rewrite(html: string, options: IOptions): string {
    if (Private.plain(html)) {
      // Nothing a pass could change (see `plain`), and the page parses exactly what a pass
      // would have checked. Most of a streaming answer's renders are such (paragraphs, lists,
      // tables, highlighted code), and parsing them again was most of their cost.
      return html;
    }
    // Re-parse until stable: what the live page parses must be what was checked here.
    let out = Private.rewriteOnce(html, options);
    if (out === html) {
      return out; // a pass that changed nothing gives the same again: already stable
    }
    for (let i = 0; i < 3; i++) {
      const again = Private.rewriteOnce(out, options);
      if (again === out) {
        return out;
      }
      out = again;
    }
    // Never stable: show it as text rather than guess.
    const doc = Private.inertDocument();
    const pre = doc.createElement('pre');
    pre.textContent = html;
    return pre.outerHTML;
  }

  /**
   * A sanitizer that runs JupyterLab's first, then `rewrite`.
   */
  export function wrapSanitizer(base: IRenderMime.ISanitizer, options: () => IOptions): IRenderMime.ISanitizer {
    return {
      getAutolink: () => base.getAutolink?.() ?? true,
      get allowNamedProperties() {
        return base.allowNamedProperties ?? false;
      },
      // A button in an answer must not run JupyterLab commands.
      allowCommandLinker: false,
      sanitize: (dirty: string, sanitizeOptions?: IRenderMime.ISanitizerOptions) =>
        rewrite(base.sanitize(dirty, sanitizeOptions), options())
    };
  }

  /**
   * A clone of the application's rendermime whose sanitizer also applies this policy; one per
   * registry, so every answer (live or reopened from a saved chat) renders through it.
   */
  export function rendermime(registry: IRenderMimeRegistry, trans?: TranslationBundle): IRenderMimeRegistry {
    let clone = Private.clones.get(registry);
    if (!clone) {
      Private.disableDnsPrefetch();
      clone = registry.clone({ sanitizer: wrapSanitizer(registry.sanitizer, () => pageOptions(trans)) });
      Private.clones.set(registry, clone);
    }
    return clone;
  }

  /**
   * After rendering, in the live DOM: give each placeholder its "Load image" button and make
   * every link open in a new tab without a referrer (rendermime resets `rel` after sanitizing).
   * Images in `approved` (clicked before a re-render of the same answer) load again at once.
   */
  export function activate(root: HTMLElement, trans: TranslationBundle, approved?: Set<string>): void {
    root.querySelectorAll('a[href]').forEach(link => {
      const href = link.getAttribute('href') ?? '';
      if (href.startsWith('#')) {
        // A link within the answer (a heading's anchor). JupyterLab hardens links again once
        // typesetting ends, which may come before or after it adds the headings' anchors: the
        // same answer would end with or without `rel`. It has none, rendered in any order.
        link.removeAttribute('rel');
        return;
      }
      link.setAttribute('target', '_blank');
      link.setAttribute('rel', 'noopener noreferrer');
      link.setAttribute('referrerpolicy', 'no-referrer');
      link.removeAttribute('ping');
    });
    root
      .querySelectorAll<HTMLElement>(`.${PLACEHOLDER_CLASS}[data-claude-remote="${Private.TOKEN}"]`)
      .forEach(holder => {
        const src = holder.dataset.claudeRemoteSrc;
        if (!src || holder.querySelector('button')) {
          return;
        }
        const load = () => {
          const image = document.createElement('img');
          // The image's host learns nothing of where it is shown.
          image.referrerPolicy = 'no-referrer';
          image.setAttribute('referrerpolicy', 'no-referrer');
          image.alt = holder.dataset.claudeRemoteAlt ?? '';
          if (holder.dataset.claudeRemoteTitle) {
            image.title = holder.dataset.claudeRemoteTitle;
          }
          image.className = 'jp-Claude-remoteImageLoaded';
          image.src = src;
          holder.replaceWith(image);
          approved?.add(src);
        };
        if (approved?.has(src)) {
          load();
          return;
        }
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'jp-Claude-loadImage jp-mod-minimal jp-Button';
        button.textContent = trans.__('Load image');
        button.title = trans.__('Load this image from %1; its server sees your address', Private.host(src));
        button.addEventListener('click', load);
        holder.appendChild(button);
      });
  }

  /** The class of a remote image's placeholder. */
  export const PLACEHOLDER_CLASS = 'jp-Claude-remoteImage';
}

namespace Private {
  export const clones = new WeakMap<IRenderMimeRegistry, IRenderMimeRegistry>();

  /** Marks our placeholders; the model cannot know it, so it cannot forge one. */
  export const TOKEN = token();

  function token(): string {
    const bytes = new Uint8Array(12);
    if (globalThis.crypto?.getRandomValues) {
      globalThis.crypto.getRandomValues(bytes);
    } else {
      bytes.forEach((_, i) => (bytes[i] = Math.floor(Math.random() * 256)));
    }
    return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
  }

  /**
   * A document with no browsing context: nothing in it loads or runs. One serves every
   * rewrite (a streaming answer is rewritten on every frame, and a new document each time
   * is most of the cost); what is parsed into it is never attached to it.
   */
  export function inertDocument(): Document {
    return (inert ??= new DOMParser().parseFromString('<!DOCTYPE html><html><body></body></html>', 'text/html'));
  }

  let inert: Document | null = null;

  /**
   * Browsers resolve the host names of links ahead of a click (DNS prefetch), which would
   * leak data put in a host name; turn it off for the page.
   */
  export function disableDnsPrefetch(): void {
    if (document.head.querySelector('meta[http-equiv="x-dns-prefetch-control"]')) {
      return;
    }
    const meta = document.createElement('meta');
    meta.httpEquiv = 'x-dns-prefetch-control';
    meta.content = 'off';
    document.head.appendChild(meta);
  }

  export function host(url: string): string {
    try {
      return new URL(url).host || url;
    } catch {
      return url;
    }
  }

  /** Elements that load, embed, restyle the page or animate a URL in; removed with their content. */
  const REMOVED = new Set([
    'script',
    'style',
    'link',
    'meta',
    'base',
    'iframe',
    'frame',
    'frameset',
    'object',
    'embed',
    'applet',
    'portal',
    'fencedframe',
    'param',
    'noscript',
    'set',
    'animate',
    'animatemotion',
    'animatetransform',
    'animatecolor',
    'discard',
    'template'
  ]);

  /** Attributes whose value is a URL the browser fetches (or, for links, follows on a click). */
  const URL_ATTRIBUTES = new Set([
    'src',
    'href',
    'xlink:href',
    'poster',
    'data',
    'background',
    'action',
    'formaction',
    'codebase',
    'longdesc',
    'lowsrc',
    'dynsrc',
    'manifest',
    'icon',
    'archive',
    'classid',
    'profile'
  ]);

  /** Attributes removed whatever their value. */
  const DROPPED = new Set([
    'ping',
    'srcset',
    'imagesrcset',
    'xml:base',
    'autoplay',
    'attributename',
    'data-claude-remote',
    'data-claude-remote-src',
    'data-claude-remote-alt',
    'data-claude-remote-title',
    'data-commandlinker-command',
    'data-commandlinker-args'
  ]);

  /**
   * Attributes a pass leaves exactly as they are on an HTML element (not a URL, a style, a
   * handler or ours), and a class list already in the form a pass writes it back (names one
   * space apart, none of the panel's own).
   */
  const KEPT_ATTRIBUTE = String.raw`\s+(?:(?:id|align|start|title|colspan|rowspan|dir|lang)="[^"]*"|class="(?![^"]*jp-claude-)[^\s"]+(?: [^\s"]+)*")`;
  /** A tag with a name and at most such attributes, double-quoted (as the sanitizer writes them). */
  const TAG = String.raw`<(?:\/([a-z][a-z0-9]*)\s*|([a-z][a-z0-9]*)(?:${KEPT_ATTRIBUTE})*\s*\/?)>`;
  const NOT_PLAIN_TAG = new RegExp(`<(?!${TAG.slice(1)})`, 'i');
  const PLAIN_TAG = new RegExp(TAG, 'gi');
  /** Foreign content (SVG, MathML) has attributes of its own that may point elsewhere. */
  const FOREIGN = new Set(['svg', 'math']);

  /**
   * Whether a pass would find nothing to change in `html`: no comment or other markup than
   * tags with a name and kept attributes, and none of them an element the rewrite removes or
   * foreign content. Elements come only from tags (and the parser's implied html, body, tbody
   * and the like, none removed), so the page parses exactly what a pass would have checked.
   */
  export function plain(html: string): boolean {
    if (NOT_PLAIN_TAG.test(html)) {
      return false;
    }
    for (const match of html.matchAll(PLAIN_TAG)) {
      const name = (match[1] ?? match[2]).toLowerCase();
      if (REMOVED.has(name) || FOREIGN.has(name)) {
        return false;
      }
    }
    return true;
  }

  export function rewriteOnce(html: string, options: RemoteContent.IOptions): string {
    const doc = inertDocument();
    const root = doc.createElement('div');
    root.innerHTML = html;
    for (const el of Array.from(root.querySelectorAll('*'))) {
      if (!root.contains(el)) {
        continue; // inside an element already removed
      }
      if (REMOVED.has(el.localName.toLowerCase())) {
        el.remove();
        continue;
      }
      if (el.closest(`[data-claude-remote="${TOKEN}"]`)) {
        continue; // a placeholder made by an earlier pass
      }
      cleanElement(el, options);
    }
    return root.innerHTML;
  }

  function cleanElement(el: Element, options: RemoteContent.IOptions): void {
    const tag = el.localName.toLowerCase();
    const isLink = tag === 'a' || tag === 'area';
    const isImage = tag === 'img';
    const isSvg = el.namespaceURI === 'http://www.w3.org/2000/svg';
    // Our class names are ours: an answer cannot dress up as the panel's own controls.
    if (el.hasAttribute('class')) {
      const kept = (el.getAttribute('class') ?? '').split(/\s+/).filter(c => c && !/^jp-claude-/i.test(c));
      if (kept.length) {
        el.setAttribute('class', kept.join(' '));
      } else {
        el.removeAttribute('class');
      }
    }
    let remoteImage: string | null = null;
    if (isImage) {
      const src = el.getAttribute('src');
      if (src !== null && src.trim() !== '') {
        if (RemoteContent.classify(src, options) === 'remote') {
          remoteImage = src;
        }
      } else {
        // An image known only by its srcset: its first candidate stands for it.
        const first = (el.getAttribute('srcset') ?? '').trim().split(/\s+/)[0]?.replace(/,$/, '');
        if (first) {
          remoteImage = first;
        }
      }
    }
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const value = attr.value;
      if (name.startsWith('on') || DROPPED.has(name)) {
        el.removeAttribute(attr.name);
      } else if (name === 'style') {
        const style = InlineStyle.clean(value);
        if (style) {
          el.setAttribute(attr.name, style);
        } else {
          el.removeAttribute(attr.name);
        }
      } else if (URL_ATTRIBUTES.has(name) || name.endsWith(':href')) {
        const kind = RemoteContent.classify(value, options);
        const keep =
          isLink && (name === 'href' || name.endsWith(':href'))
            ? Private.followable(value, options)
            : kind === 'local' ||
              (kind === 'image-data' &&
                (name === 'src' || name === 'poster' || name === 'href' || name.endsWith(':href')));
        if (!keep) {
          el.removeAttribute(attr.name);
        }
      } else if (isSvg && InlineStyle.pointsElsewhere(value)) {
        // SVG presentation attributes (fill, filter, mask, ...) may point at other documents.
        el.removeAttribute(attr.name);
      }
    }
    if (isLink && el.hasAttribute('href')) {
      el.setAttribute('target', '_blank');
      el.setAttribute('rel', 'noopener noreferrer');
      el.setAttribute('referrerpolicy', 'no-referrer');
    }
    // Only a web address can be offered for loading; anything else (javascript:, blob:, ...) just goes.
    if (remoteImage !== null && isWeb(remoteImage, options)) {
      el.replaceWith(placeholder(el, remoteImage, options));
    }
  }

  function isWeb(raw: string, options: RemoteContent.IOptions): boolean {
    try {
      return ['http:', 'https:'].includes(new URL(raw, options.base).protocol);
    } catch {
      return false;
    }
  }

  /** A link may be followed (on a click) to the web, mail, or this server. */
  export function followable(raw: string, options: RemoteContent.IOptions): boolean {
    try {
      const url = new URL(raw, options.base);
      return ['http:', 'https:', 'mailto:'].includes(url.protocol);
    } catch {
      return false;
    }
  }

  function placeholder(img: Element, src: string, options: RemoteContent.IOptions): Element {
    const doc = img.ownerDocument;
    const trans = options.trans;
    let resolved = src;
    try {
      resolved = new URL(src, options.base).href;
    } catch {
      // Unparsable: shown as written; loading it will simply fail.
    }
    const where = host(resolved);
    const alt = img.getAttribute('alt') ?? '';
    const holder = doc.createElement('span');
    holder.className = RemoteContent.PLACEHOLDER_CLASS;
    holder.setAttribute('data-claude-remote', TOKEN);
    holder.setAttribute('data-claude-remote-src', resolved);
    holder.setAttribute('data-claude-remote-alt', alt);
    const title = img.getAttribute('title');
    if (title) {
      holder.setAttribute('data-claude-remote-title', title);
    }
    holder.setAttribute('role', 'group');
    const label = doc.createElement('span');
    label.className = 'jp-Claude-remoteImageLabel';
    label.textContent = trans ? trans.__('Image from %1 not loaded', where) : `Image from ${where} not loaded`;
    holder.setAttribute('aria-label', label.textContent);
    holder.appendChild(label);
    if (alt) {
      const caption = doc.createElement('span');
      caption.className = 'jp-Claude-remoteImageAlt';
      caption.textContent = alt;
      holder.appendChild(caption);
    }
    return holder;
  }
}
