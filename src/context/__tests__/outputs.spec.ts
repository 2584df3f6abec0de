import type { IOutput } from '@jupyterlab/nbformat';
import { describeOutput, summariseOutput } from '../outputs';
import { collapseRepeatedFrames } from '../traceback';
import { estimateTokens } from '../text';
import { fakeAnthropicKey, loadNotebook, outputsOf } from './fixtures';

describe('summariseOutput', () => {
  describe('on 20,000 printed lines', () => {
    const [output] = outputsOf(loadNotebook('long_stream'), 'long-stream-0');

    it('keeps the first and last lines within the budget and says how many were elided', () => {
      const summary = summariseOutput(output, 300);
      expect(summary.kind).toBe('text');
      expect(summary.truncated).toBe(true);
      expect(summary.tokens).toBeLessThanOrEqual(300);
      expect(summary.text.startsWith('0 1.0000\n1 0.5000\n')).toBe(true);
      expect(summary.text.endsWith('19999 0.0001\n')).toBe(true);
      expect(summary.text).toMatch(/… \[19,\d{3} lines \/ [\d,]+ characters elided\] …/);
    });

    it('is described in the outline by its line count', () => {
      expect(describeOutput(output)).toBe('stdout 20,000 lines');
    });
  });

  it('strips colours from printed text', () => {
    const [output] = outputsOf(loadNotebook('pandas_errors'), 'pandas-errors-6');
    expect(summariseOutput(output, 100).text).toBe('warning: 3 rows have negative q4\n');
  });

  describe('on a pandas KeyError', () => {
    const [output] = outputsOf(loadNotebook('pandas_errors'), 'pandas-errors-4');

    it('starts with the exception and keeps the frame that raised it', () => {
      const summary = summariseOutput(output, 2000);
      expect(summary.kind).toBe('error');
      expect(summary.text.startsWith("KeyError: 'revenue'\n")).toBe(true);
      expect(summary.text).toContain("Cell In[4], line 1\n----> 1 sales['revenue'].sum()");
      expect(summary.text).toContain('raise KeyError(key) from err');
      expect(summary.text).not.toContain('\x1b[');
    });

    it('is described as the exception and its value', () => {
      expect(describeOutput(output)).toBe("error: KeyError 'revenue'");
    });
  });

  describe('on a deep RecursionError', () => {
    const [output] = outputsOf(loadNotebook('pandas_errors'), 'pandas-errors-5');

    it('collapses the repeated frames into one line', () => {
      const summary = summariseOutput(output, 1000);
      expect(summary.truncated).toBe(false);
      expect(summary.text).toContain('[previous frame repeated 973 more times]');
      expect(summary.text.match(/Cell In\[5\], line 2, in depth/g)).toHaveLength(1);
      expect(summary.text.endsWith('RecursionError: maximum recursion depth exceeded')).toBe(true);
      expect(summary.tokens).toBeLessThan(200);
    });
  });

  it('collapses cycles of frames, as in mutual recursion', () => {
    const frames = ['top', ...Array.from({ length: 6 }, () => ['even(n)', 'odd(n)']).flat(), 'RecursionError'];
    expect(collapseRepeatedFrames(frames)).toEqual([
      'top',
      'even(n)',
      'odd(n)',
      '[previous 2 frames repeated 5 more times]',
      'RecursionError'
    ]);
  });

  describe('on a large DataFrame', () => {
    const [output] = outputsOf(loadNotebook('pandas_errors'), 'pandas-errors-2');

    it('writes a compact table with the shape pandas printed', () => {
      const summary = summariseOutput(output, 1500);
      expect(summary.kind).toBe('table');
      const lines = summary.text.split('\n');
      expect(lines[0]).toBe('DataFrame 1,000 rows × 12 columns');
      expect(lines[1]).toBe('|  | region | q1 | q2 | q3 | q4 | q5 | q6 | q7 | q8 | q9 | q10 | key |');
      expect(lines[2]).toMatch(/^\| 0 \| (north|south|east|west) \| [\d.]+ \|/);
      expect(lines[lines.length - 1]).toMatch(/^\| 999 \|/);
      expect(summary.text).not.toMatch(/<|style|&/);
    });

    it('drops middle rows, and says so, when the budget is small', () => {
      const summary = summariseOutput(output, 150);
      expect(summary.truncated).toBe(true);
      expect(summary.tokens).toBeLessThanOrEqual(150);
      expect(summary.text).toMatch(/… \d+ more rows shown in the notebook …/);
      expect(summary.text).toContain('|  | region |');
    });

    it('is described by its shape', () => {
      expect(describeOutput(output)).toBe('DataFrame 1,000 rows × 12 cols');
    });
  });

  describe('on DiscoveryBench data', () => {
    const nb = loadNotebook('nls_incarceration');

    it('reads the columns of df.head() and counts its rows when pandas printed no shape', () => {
      const [output] = outputsOf(nb, 'nls-incarceration-1');
      const summary = summariseOutput(output, 500);
      expect(summary.text.split('\n').slice(0, 2)).toEqual([
        'DataFrame 5 rows × 6 columns',
        '|  | race | sex | ever_jailed | composite_wealth_1985 | composite_wealth_1990 | composite_wealth_1996 |'
      ]);
      expect(describeOutput(output)).toBe('DataFrame 5 rows × 6 cols');
    });

    it('keeps the statistics of df.describe()', () => {
      const [output] = outputsOf(nb, 'nls-incarceration-2');
      const summary = summariseOutput(output, 500);
      for (const stat of ['count', 'mean', 'std', 'min', '25%', '50%', '75%', 'max']) {
        expect(summary.text).toContain(`| ${stat} |`);
      }
    });

    it('keeps a groupby result as text', () => {
      const [output] = outputsOf(nb, 'nls-incarceration-3');
      const summary = summariseOutput(output, 500);
      expect(summary.kind).toBe('text');
      expect(summary.text).toContain('race ');
      expect(summary.text).toContain('ever_jailed');
      expect(summary.text).toContain('Name: composite_wealth_1996');
    });

    it('hides the password printed with a connection string', () => {
      const [output] = outputsOf(nb, 'nls-incarceration-4');
      const summary = summariseOutput(output, 500);
      expect(summary.text).not.toContain('hunter2');
      expect(summary.text).toContain('postgresql://analyst:[REDACTED:password]@db.example.org');
      expect(summary.redactions).toBe(2);
    });
  });

  describe('on plots', () => {
    const nb = loadNotebook('plots');

    it('offers a small PNG as an image with its size read from the header', () => {
      const [output] = outputsOf(nb, 'plots-1');
      const summary = summariseOutput(output, 200);
      expect(summary.kind).toBe('image');
      expect(summary.image).toMatchObject({ mimeType: 'image/png', width: 568, height: 434, needsDownsample: false });
      expect(summary.image!.bytes).toBeGreaterThan(20000);
      expect(summary.image!.tokens).toBe(Math.ceil((568 * 434) / 750));
      expect(summary.text).toMatch(/^image\/png 568×434 \(\d+ KB\)$/);
    });

    it('asks for a large PNG to be downsampled and counts its tokens at the smaller size', () => {
      const [output] = outputsOf(nb, 'plots-2');
      const summary = summariseOutput(output, 200);
      expect(summary.image).toMatchObject({ width: 977, height: 659, needsDownsample: true });
      expect(summary.image!.tokens).toBe(Math.ceil((768 * Math.round((659 * 768) / 977)) / 750));
      expect(describeOutput(output)).toBe('image/png 977×659');
    });

    it('reads the size of an SVG and asks for it to be drawn to pixels', () => {
      const [svg, js] = outputsOf(nb, 'plots-3');
      expect(summariseOutput(svg, 100).image).toMatchObject({
        mimeType: 'image/svg+xml',
        width: 40,
        height: 20,
        needsDownsample: true
      });
      const script = summariseOutput(js, 100);
      expect(script).toMatchObject({ kind: 'javascript', text: 'JavaScript output (36 characters)' });
    });
  });

  it('reads the size of a JPEG from its frame header', () => {
    // A 3×2 baseline JPEG header: SOI, APP0 (JFIF), SOF0.
    const bytes = [
      0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
      0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x02, 0x00, 0x03, 0x03, 0x01, 0x22, 0x00
    ];
    const base64 = Buffer.from(bytes).toString('base64');
    const output: IOutput = { output_type: 'display_data', data: { 'image/jpeg': base64 }, metadata: {} };
    expect(summariseOutput(output, 100).image).toMatchObject({ width: 3, height: 2, needsDownsample: false });
  });

  it('names an ipywidgets view instead of dumping it', () => {
    const output: IOutput = {
      output_type: 'display_data',
      data: {
        'application/vnd.jupyter.widget-view+json': { model_id: '6f1c2b', version_major: 2, version_minor: 0 },
        'text/plain': 'IntSlider(value=3)'
      },
      metadata: {}
    };
    expect(summariseOutput(output, 100)).toMatchObject({ kind: 'widget', text: 'ipywidgets widget 6f1c2b' });
    expect(describeOutput(output)).toBe('ipywidgets widget 6f1c2b');
  });

  it('names other MIME types with their size', () => {
    const output: IOutput = {
      output_type: 'display_data',
      data: { 'application/pdf': 'JVBERi0xLjQK'.repeat(200) },
      metadata: {}
    };
    expect(summariseOutput(output, 100)).toMatchObject({ kind: 'other', text: 'application/pdf output (2 KB)' });
  });

  it('turns non-table HTML into text', () => {
    const output: IOutput = {
      output_type: 'display_data',
      data: {
        'text/html': '<div><b>Fit</b> done: R² &gt; 0.9 &amp; p&lt;0.01</div>',
        'text/plain': '<IPython.core.display.HTML object>'
      },
      metadata: {}
    };
    expect(summariseOutput(output, 100)).toMatchObject({ kind: 'html', text: 'Fit done: R² > 0.9 & p<0.01' });
  });

  it('redacts a key printed in an output', () => {
    const key = fakeAnthropicKey();
    const output: IOutput = { output_type: 'stream', name: 'stdout', text: [`using key ${key}\n`, 'ok\n'] };
    const summary = summariseOutput(output, 100);
    expect(summary.text).toBe('using key [REDACTED:anthropic-key]\nok\n');
    expect(summary.redactions).toBe(1);
    expect(describeOutput(output)).not.toContain(key);
    expect(summary.tokens).toBe(estimateTokens(summary.text));
  });
});
