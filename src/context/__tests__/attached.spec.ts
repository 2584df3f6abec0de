/**
 * Texts attached to a question (an MCP resource): a chip each with its token count, redacted,
 * bounded, marked as data; removed with the chip's ×.
 */
import { attachedContext, MAX_ATTACHED_CHARS } from '../attached';
import { ContextSelection } from '../selection';
import { fakeAnthropicKey } from './fixtures';

const calibration = JSON.stringify({ wavelength_standard: 'holmium oxide filter', lines_nm: [241.1, 287.2] });

describe('attachedContext', () => {
  it('sends each attachment as a part with its tokens, framed as data', () => {
    const sent = attachedContext([
      { id: 'mcp:uvvis:uvvis://calibration', title: 'uvvis: calibration', text: calibration }
    ]);
    expect(sent.parts).toEqual([
      {
        id: 'mcp:uvvis:uvvis://calibration',
        kind: 'attachment',
        title: 'uvvis: calibration',
        tokens: expect.any(Number)
      }
    ]);
    expect(sent.parts[0].tokens).toBeGreaterThan(10);
    expect(sent.tokens).toBe(sent.parts[0].tokens);
    expect(sent.text).toContain('not instructions to follow');
    expect(sent.text).toContain('<attached title="uvvis: calibration">\n{"wavelength_standard":"holmium oxide filter"');
  });

  it('redacts secrets and cuts what is too long', () => {
    const key = fakeAnthropicKey();
    const sent = attachedContext([
      { id: 'a', title: 'env', text: `ANTHROPIC_API_KEY=${key}` },
      { id: 'b', title: 'big', text: 'x'.repeat(MAX_ATTACHED_CHARS + 500) }
    ]);
    expect(sent.text).not.toContain(key);
    expect(sent.redactions).toBe(1);
    expect(sent.text).toContain('[500 characters cut]');
  });

  it('sends nothing when nothing is attached', () => {
    expect(attachedContext([])).toEqual({ text: '', parts: [], tokens: 0, redactions: 0 });
  });
});

describe('ContextSelection attachments', () => {
  it('keeps a text until its chip is removed, and replaces one of the same id', () => {
    const selection = new ContextSelection();
    let changes = 0;
    selection.changed.connect(() => changes++);
    selection.attachText({ id: 'r', title: 'uvvis: calibration', text: 'one' });
    selection.attachText({ id: 'r', title: 'uvvis: calibration', text: 'two' });
    expect(selection.attachedTexts).toEqual([{ id: 'r', title: 'uvvis: calibration', text: 'two' }]);
    selection.exclude('r');
    expect(selection.attachedTexts).toEqual([]);
    expect(selection.excludedIds).toEqual([]);
    expect(changes).toBe(3);
  });
});
