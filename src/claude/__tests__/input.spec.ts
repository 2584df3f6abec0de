import { ContextSelection } from '../../context/selection';
import { InputModel } from '../input';

function model(options: { busy?: () => boolean } = {}) {
  const sent: string[] = [];
  const input = new InputModel({ send: text => sent.push(text), isBusy: options.busy ?? (() => false) });
  return { input, sent };
}

describe('InputModel', () => {
  it('holds the draft and says when it changes, once per change', () => {
    const { input } = model();
    const seen: string[] = [];
    input.valueChanged.connect((_, value) => seen.push(value));
    input.value = 'Why is';
    input.value = 'Why is';
    input.value = 'Why is wealth skewed?';
    expect(input.value).toBe('Why is wealth skewed?');
    expect(seen).toEqual(['Why is', 'Why is wealth skewed?']);
  });

  it('sends the draft as typed and empties it', () => {
    const { input, sent } = model();
    input.value = '  What does cell #2 do?\nand #3 ';
    expect(input.send()).toBe(true);
    expect(sent).toEqual(['  What does cell #2 do?\nand #3 ']);
    expect(input.value).toBe('');
  });

  it('sends nothing blank and nothing while an answer streams, keeping the draft', () => {
    let busy = false;
    const { input, sent } = model({ busy: () => busy });
    input.value = ' \n\t';
    expect(input.canSend).toBe(false);
    expect(input.send()).toBe(false);
    input.value = 'Plot it';
    busy = true;
    expect(input.canSend).toBe(false);
    expect(input.send()).toBe(false);
    expect(input.value).toBe('Plot it');
    busy = false;
    expect(input.send()).toBe(true);
    expect(sent).toEqual(['Plot it']);
  });

  it('clears the draft', () => {
    const { input } = model();
    input.value = 'draft';
    input.clear();
    expect(input.value).toBe('');
  });

  it('attaches cells to the notebook in focus and keeps them after sending', () => {
    const { input } = model();
    const selection = new ContextSelection();
    const seen: Array<ReadonlyArray<string>> = [];
    input.attachmentsChanged.connect((_, ids) => seen.push(ids));
    input.attach(['lost']);
    expect(input.attachments).toEqual([]);
    input.setSelection(selection);
    input.attach(['fit', 'plot']);
    input.attach(['fit']);
    expect(input.attachments).toEqual(['fit', 'plot']);
    expect(selection.extraCellIds).toEqual(['fit', 'plot']);
    input.value = 'Compare them';
    input.send();
    expect(input.attachments).toEqual(['fit', 'plot']);
    expect(seen).toEqual([['fit', 'plot']]);
  });

  it('follows the notebook in focus and ignores changes that are not attachments', () => {
    const { input } = model();
    const first = new ContextSelection();
    const second = new ContextSelection();
    first.attach(['a']);
    let changes = 0;
    input.attachmentsChanged.connect(() => changes++);
    input.setSelection(first);
    expect(input.attachments).toEqual(['a']);
    first.exclude('variables');
    expect(changes).toBe(1);
    input.setSelection(second);
    expect(input.attachments).toEqual([]);
    first.attach(['b']);
    expect(input.attachments).toEqual([]);
    // Removing an attached cell's chip takes it off the list.
    input.setSelection(first);
    first.exclude('a');
    expect(input.attachments).toEqual(['b']);
    input.setSelection(null);
    expect(input.attachments).toEqual([]);
    expect(changes).toBe(5);
  });

  it('stops following its selection once disposed', () => {
    const { input } = model();
    const selection = new ContextSelection();
    input.setSelection(selection);
    input.dispose();
    selection.attach(['a']);
    expect(input.attachments).toEqual([]);
    expect(input.isDisposed).toBe(true);
  });
});
