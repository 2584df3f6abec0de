import { buildRequest } from '../../claude/request';
import { DEFAULT_SETTINGS } from '../../claude/settings';
import type { IChatTurn } from '../../claude/tokens';
import { RULES_PART_ID, rulesContext } from '../rules';

describe('project rules', () => {
  it('become one part, with the files named and their token count', () => {
    const rules = rulesContext([
      { path: 'AGENTS.md', text: 'Report n with every estimate.\n' },
      { path: 'lab/CLAUDE.md', text: 'Concentrations in mol/L.', truncated: true },
      { path: 'empty/AGENTS.md', text: '  \n' }
    ])!;
    expect(rules.part).toEqual({
      id: RULES_PART_ID,
      kind: 'rules',
      title: 'AGENTS.md, lab/CLAUDE.md',
      tokens: Math.ceil(rules.text.length / 4)
    });
    expect(rules.text).toContain('<file path="AGENTS.md">\nReport n with every estimate.\n</file>');
    expect(rules.text).toContain('[cut: the file is longer]');
    expect(rules.text).not.toContain('empty/AGENTS.md');
    expect(rulesContext([])).toBeNull();
  });

  it('go into the cached system prompt, after the skills and before the outline', () => {
    const rules = rulesContext([{ path: 'AGENTS.md', text: 'Use SI units.' }])!;
    const question: IChatTurn = {
      id: 'q',
      role: 'user',
      text: 'Convert it',
      thinking: '',
      status: 'done',
      context: {
        stableText: 'OUTLINE',
        volatileText: '',
        rulesText: rules.text,
        images: [],
        parts: [rules.part],
        omitted: [],
        totalTokens: 10,
        redactions: 0,
        notes: []
      }
    };
    const request = buildRequest({
      settings: DEFAULT_SETTINGS,
      label: 'a.ipynb',
      turns: [question],
      tools: [],
      system: ['<skills>LISTING</skills>', '']
    });
    const system = request.system as Array<{ text: string; cache_control?: unknown }>;
    expect(system.map(b => b.text.slice(0, 16))).toEqual([
      'You are Claude, ',
      '<skills>LISTING<',
      '<project_rules>\n',
      expect.stringContaining('OUTLINE')
    ]);
    expect(system[system.length - 1].cache_control).toEqual({ type: 'ephemeral' });
    expect(JSON.stringify(request.messages)).not.toContain('Use SI units.');
  });
});
