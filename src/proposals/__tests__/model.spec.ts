import { createProposal, ProposalList } from '../model';
import type { IProposal } from '../tokens';

const from = { toolUseId: 'toolu_01', model: 'claude-sonnet-4-5', requestId: 'req_01' };

describe('createProposal', () => {
  it('makes a pending insert from a tool call', () => {
    const p = createProposal({
      ...from,
      input: { kind: 'insert', cell_id: 'load', cell_type: 'markdown', source: '## Method' },
      now: new Date('2025-05-01T10:00:00Z')
    });
    expect(p).toMatchObject({
      kind: 'insert',
      toolUseId: 'toolu_01',
      cellId: 'load',
      cellType: 'markdown',
      source: '## Method',
      originalSource: null,
      status: 'pending',
      edited: false,
      model: 'claude-sonnet-4-5',
      requestId: 'req_01',
      createdAt: '2025-05-01T10:00:00.000Z'
    });
    expect(p.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('inserts at the top when no anchor is given, as a code cell by default', () => {
    const p = createProposal({ ...from, input: { kind: 'insert', source: 'import numpy as np' } });
    expect(p.cellId).toBeNull();
    expect(p.cellType).toBe('code');
  });

  it('lets the tool name the kind', () => {
    const p = createProposal({ ...from, kind: 'delete', input: { cell_id: 'plot' }, originalSource: 'x' });
    expect(p.kind).toBe('delete');
    expect(p.source).toBe('');
    expect(p.originalSource).toBe('x');
  });

  it('keeps the target source of a replace for the diff', () => {
    const p = createProposal({
      ...from,
      input: { kind: 'replace', cell_id: 'plot', source: "raw.plot.scatter(x='income', y='spend')" },
      originalSource: "raw.plot.scatter(x='gdp', y='spend')"
    });
    expect(p.originalSource).toBe("raw.plot.scatter(x='gdp', y='spend')");
  });

  it.each([
    [null, 'The tool input must be a JSON object.'],
    ['insert a cell', 'The tool input must be a JSON object.'],
    [
      { kind: 'rewrite', cell_id: 'a', source: 'x' },
      'Unknown proposal kind "rewrite": use one of insert, replace, delete, run.'
    ],
    [{ cell_id: 'a', source: 'x' }, 'Unknown proposal kind undefined: use one of insert, replace, delete, run.'],
    [
      { kind: 'insert', cell_id: 'a' },
      'An insert proposal needs `source`: the full new source of the cell, as a string.'
    ],
    [
      { kind: 'replace', cell_id: 'a', source: ['x = 1'] },
      'A replace proposal needs `source`: the full new source of the cell, as a string.'
    ],
    [{ kind: 'replace', source: 'x = 1' }, 'A replace proposal needs `cell_id`: the id of the target cell.'],
    [{ kind: 'delete', cell_id: '' }, 'A delete proposal needs `cell_id`: the id of the target cell.'],
    [
      { kind: 'insert', cell_id: 3, source: 'x' },
      '`cell_id` must be the id of the cell to insert after, or null to insert at the top.'
    ],
    [{ kind: 'insert', cell_type: 'raw', source: 'x' }, '`cell_type` must be "code" or "markdown".']
  ])('refuses malformed tool input %j with a message Claude can act on', (input, message) => {
    expect(() => createProposal({ ...from, input, originalSource: 'old' })).toThrow(message);
  });
});

describe('ProposalList', () => {
  function proposal(source = 'x = 1'): IProposal {
    return createProposal({ ...from, input: { kind: 'insert', source } });
  }

  it('announces every proposal added and every change of state', () => {
    const list = new ProposalList();
    const seen: Array<[string, string]> = [];
    list.changed.connect((sender, p) => {
      expect(sender).toBe(list);
      seen.push([p.source, p.status]);
    });
    const a = list.add(proposal('a = 1'));
    const b = list.add(proposal('b = 2'));
    list.update(a.id, { status: 'accepted', appliedCellId: 'new-cell' });
    list.update(b.id, { status: 'rejected', reason: 'Not now' });
    expect(seen).toEqual([
      ['a = 1', 'pending'],
      ['b = 2', 'pending'],
      ['a = 1', 'accepted'],
      ['b = 2', 'rejected']
    ]);
    expect(list.get(b.id)?.reason).toBe('Not now');
    expect(list.get(a.id)?.appliedCellId).toBe('new-cell');
  });

  it('lists what is still pending, oldest first', () => {
    const list = new ProposalList();
    const a = list.add(proposal('a'));
    const b = list.add(proposal('b'));
    const c = list.add(proposal('c'));
    list.update(b.id, { status: 'stale', reason: 'The cell was deleted after Claude proposed this' });
    expect(list.pending().map(p => p.id)).toEqual([a.id, c.id]);
    expect(list.all.map(p => p.id)).toEqual([a.id, b.id, c.id]);
  });

  it('keeps earlier snapshots unchanged when a proposal changes', () => {
    const list = new ProposalList();
    const a = list.add(proposal());
    const accepted = list.update(a.id, { status: 'accepted', edited: true });
    expect(a.status).toBe('pending');
    expect(accepted.status).toBe('accepted');
    expect(accepted.edited).toBe(true);
  });

  it('goes back to pending when an acceptance is undone', () => {
    const list = new ProposalList();
    const a = list.add(proposal());
    list.update(a.id, { status: 'accepted' });
    expect(list.update(a.id, { status: 'pending' }).status).toBe('pending');
  });

  it('refuses to revive a rejected proposal, and unknown or duplicate ids', () => {
    const list = new ProposalList();
    const a = list.add(proposal());
    list.update(a.id, { status: 'rejected' });
    expect(() => list.update(a.id, { status: 'accepted' })).toThrow('A proposal cannot go from rejected to accepted');
    expect(() => list.update('nope', { status: 'accepted' })).toThrow('No proposal with id nope');
    expect(() => list.add(a)).toThrow(`A proposal with id ${a.id} already exists`);
  });
});
