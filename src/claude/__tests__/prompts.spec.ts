import { cellQuestion, systemPrompt } from '../prompts';

describe('cellQuestion', () => {
  const cell = { index: 3, id: 'fit' };

  it('names the cell by number and id', () => {
    expect(cellQuestion('explain', cell)).toBe(
      'Explain cell #4 (id=fit): what it does, step by step, and what its output shows.'
    );
    expect(cellQuestion('continue', cell)).toContain('from cell #4 (id=fit)');
  });

  it('puts the error in the question to fix it', () => {
    expect(cellQuestion('fix', cell, { ename: 'KeyError', evalue: "'wealth'" })).toBe(
      "Cell #4 (id=fit) raised KeyError: 'wealth'. Find the cause from the traceback and the data, and propose a fix."
    );
  });
});

describe('systemPrompt', () => {
  it("adds the scientist's own instructions", () => {
    const prompt = systemPrompt('a.ipynb', 'Use SI units.');
    expect(prompt).toContain('"a.ipynb"');
    expect(prompt.endsWith("The scientist's own instructions:\nUse SI units.")).toBe(true);
  });
});
