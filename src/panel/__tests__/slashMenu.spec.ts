import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { InputModel } from '../../claude/input';
import { SlashCommands } from '../../claude/slash';
import { MessageBox } from '../messageBox';

function setup() {
  const commands = new SlashCommands();
  for (const name of ['first-look-dataset', 'timeseries-qc', 'units-uncertainty']) {
    commands.register({ name, description: `${name} help`, source: 'skill', resolve: () => ({}) });
  }
  const sent: string[] = [];
  const model = new InputModel({ send: text => sent.push(text), isBusy: () => false });
  const box = new MessageBox({
    model,
    trans: nullTranslator.load('jupyterlab_claude'),
    isBusy: () => false,
    stop: () => undefined,
    commands
  });
  Widget.attach(box, document.body);
  const input = box.node.querySelector('textarea')!;
  const menu = box.node.querySelector('.jp-Claude-slashMenu') as HTMLElement;
  const type = (value: string) => {
    input.value = value;
    input.setSelectionRange(value.length, value.length);
    input.dispatchEvent(new Event('input'));
  };
  const key = (k: string) => {
    const event = new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true });
    input.dispatchEvent(event);
    return event;
  };
  const options = () => [...menu.querySelectorAll('[role="option"]')].map(o => (o as HTMLElement).dataset.name);
  const selected = () => (menu.querySelector('[aria-selected="true"]') as HTMLElement | null)?.dataset.name;
  return { box, model, commands, input, menu, type, key, options, selected, sent };
}

describe('the slash command list of the message box', () => {
  it('opens on /, filters as you type, and closes past the name', () => {
    const { box, menu, type, options, input } = setup();
    type('/');
    expect(menu.hidden).toBe(false);
    expect(options()).toEqual(['first-look-dataset', 'timeseries-qc', 'units-uncertainty']);
    expect(input.getAttribute('aria-expanded')).toBe('true');
    type('/t');
    // Names that begin with what was typed first, then those that contain it.
    expect(options()).toEqual(['timeseries-qc', 'first-look-dataset', 'units-uncertainty']);
    type('/units-uncertainty convert');
    expect(menu.hidden).toBe(true);
    type('plain question');
    expect(menu.hidden).toBe(true);
    box.dispose();
  });

  it('moves with the arrow keys, picks with Enter without sending, Tab picks too', () => {
    const { box, model, type, key, selected, sent, menu } = setup();
    type('/');
    expect(selected()).toBe('first-look-dataset');
    key('ArrowDown');
    key('ArrowDown');
    expect(selected()).toBe('units-uncertainty');
    key('ArrowDown');
    expect(selected()).toBe('first-look-dataset');
    key('ArrowUp');
    const enter = key('Enter');
    expect(enter.defaultPrevented).toBe(true);
    expect(model.value).toBe('/units-uncertainty ');
    expect(sent).toEqual([]);
    expect(menu.hidden).toBe(true);
    // With the list closed, Enter sends as before.
    key('Enter');
    expect(sent).toEqual(['/units-uncertainty ']);
    type('/time');
    key('Tab');
    expect(model.value).toBe('/timeseries-qc ');
    box.dispose();
  });

  it('closes on Escape, keeping the draft, and follows commands that come and go', () => {
    const { box, commands, type, key, menu, model, options } = setup();
    type('/first');
    key('Escape');
    expect(menu.hidden).toBe(true);
    expect(model.value).toBe('/first');
    type('/');
    const added = commands.register({ name: 'mcp:scan', description: 'scan', source: 'MCP', resolve: () => ({}) });
    expect(options()).toContain('mcp:scan');
    added.dispose();
    expect(options()).not.toContain('mcp:scan');
    box.dispose();
  });
});
