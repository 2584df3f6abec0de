/**
 * @jest-environment node
 */
import { nullTranslator } from '@jupyterlab/translation';
import { Conversation } from '../conversation';
import { createDirectClient } from '../direct';
import { buildRequest } from '../request';
import { DEFAULT_SETTINGS } from '../settings';
import { applyCompletion, commandTexts, parseSlash, SlashCommands } from '../slash';
import type { IChatTurn, ISlashCommand } from '../tokens';
import { MOCK_KEY, MockApi } from './mockApi';

const api = MockApi.forTestFile();

function command(name: string, extra: Partial<ISlashCommand> = {}): ISlashCommand {
  return { name, description: `${name} does things`, source: 'test', resolve: () => ({}), ...extra };
}

describe('parseSlash', () => {
  it('reads the name and the rest of a question that begins with /name', () => {
    expect(parseSlash('/first-look  what is in data.csv?\nand why')).toEqual({
      name: 'first-look',
      args: 'what is in data.csv?\nand why'
    });
    expect(parseSlash('  /units')).toEqual({ name: 'units', args: '' });
    expect(parseSlash('github:review-pr 12')).toBeNull();
  });

  it('is no command when the text only contains a slash or a path', () => {
    expect(parseSlash('compare a/b')).toBeNull();
    expect(parseSlash('/data/file.csv has gaps')).toBeNull();
    expect(parseSlash('/')).toBeNull();
    expect(parseSlash('/-x')).toBeNull();
  });
});

describe('SlashCommands', () => {
  it('lists commands by name and says when the list changes', () => {
    const registry = new SlashCommands();
    let changes = 0;
    registry.changed.connect(() => changes++);
    const b = registry.register(command('units'));
    registry.register(command('first-look'));
    expect(registry.commands.map(c => c.name)).toEqual(['first-look', 'units']);
    expect(registry.has('units')).toBe(true);
    b.dispose();
    b.dispose();
    expect(registry.commands.map(c => c.name)).toEqual(['first-look']);
    expect(changes).toBe(3);
  });

  it('refuses a name already taken and a name that is not one', () => {
    const registry = new SlashCommands();
    registry.register(command('units'));
    expect(() => registry.register(command('units'))).toThrow(/already registered/);
    expect(() => registry.register(command('has space'))).toThrow(/not a command name/);
    expect(() => registry.register(command(''))).toThrow(/not a command name/);
    // The refused one did not replace the first.
    expect(registry.commands).toHaveLength(1);
  });

  it('completes the name being typed at the start of the draft: prefix first, then contains', () => {
    const registry = new SlashCommands();
    for (const name of ['qc-timeseries', 'first-look', 'units-uncertainty', 'report', 'mcp:quick']) {
      registry.register(command(name));
    }
    expect(registry.complete('/').map(c => c.name)).toEqual([
      'first-look',
      'mcp:quick',
      'qc-timeseries',
      'report',
      'units-uncertainty'
    ]);
    expect(registry.complete('/q').map(c => c.name)).toEqual(['qc-timeseries', 'mcp:quick']);
    expect(registry.complete('/QC').map(c => c.name)).toEqual(['qc-timeseries']);
    // Cursor in the middle of the name: what is before it counts.
    expect(registry.complete('/first-look', 2).map(c => c.name)).toEqual(['first-look']);
    // Past the name, not at the start, or no slash: no list.
    expect(registry.complete('/first-look ')).toEqual([]);
    expect(registry.complete('see /fi')).toEqual([]);
    expect(registry.complete('fi')).toEqual([]);
    expect(registry.complete('/zzz')).toEqual([]);
  });

  it('resolves what a command adds to its question, keeping only text', async () => {
    const registry = new SlashCommands();
    const seen: string[] = [];
    registry.register(
      command('units', {
        source: 'skill',
        resolve: args => {
          seen.push(args);
          return { skill: 'units', userText: 'BODY', systemNote: '', extra: 1 } as any;
        }
      })
    );
    expect(await registry.resolve('/units convert 3 ft')).toEqual({
      name: 'units',
      source: 'skill',
      args: 'convert 3 ft',
      skill: 'units',
      userText: 'BODY'
    });
    expect(seen).toEqual(['convert 3 ft']);
    expect(await registry.resolve('/unknown hi')).toBeNull();
    expect(await registry.resolve('plain question')).toBeNull();
  });

  it('turns a failing command into a note, never a lost question', async () => {
    const registry = new SlashCommands();
    registry.register(
      command('broken', {
        resolve: async () => {
          throw new Error('the MCP server went away');
        }
      })
    );
    const sent = await registry.resolve('/broken please');
    expect(sent).toEqual({ name: 'broken', source: 'test', args: 'please', error: 'the MCP server went away' });
    expect(commandTexts(sent!)[0]).toContain('could not be run: the MCP server went away');
  });
});

describe('applyCompletion', () => {
  it('replaces the typed name and keeps the rest of the draft', () => {
    expect(applyCompletion('/fi', 3, 'first-look')).toEqual({ value: '/first-look ', cursor: 12 });
    expect(applyCompletion('/fi what now', 3, 'first-look')).toEqual({
      value: '/first-look what now',
      cursor: 12
    });
    expect(applyCompletion('/fixx more', 2, 'first-look').value).toBe('/first-look more');
  });
});

describe('a question that begins with a command', () => {
  const turn = (extra: Partial<IChatTurn>): IChatTurn => ({
    id: 'u1',
    role: 'user',
    text: '/units how many sig figs?',
    thinking: '',
    status: 'done',
    ...extra
  });

  it('carries the command before the question in the user message, not in the system prompt', () => {
    const request = buildRequest({
      settings: DEFAULT_SETTINGS,
      label: 'a.ipynb',
      tools: [],
      turns: [
        turn({
          command: {
            name: 'units',
            source: 'skill',
            args: 'how many sig figs?',
            skill: 'units',
            systemNote: 'Answer in SI.',
            userText: '<skill name="units">BODY</skill>'
          }
        })
      ]
    });
    const texts = (request.messages[0].content as Array<{ text: string }>).map(b => b.text);
    expect(texts[0]).toContain('chose the skill "units"');
    expect(texts[1]).toBe('<command_instructions name="/units">\nAnswer in SI.\n</command_instructions>');
    expect(texts[2]).toBe('<skill name="units">BODY</skill>');
    expect(texts[3]).toBe('/units how many sig figs?');
    expect(JSON.stringify(request.system)).not.toContain('BODY');
  });

  it('is resolved by the conversation when sent, and replayed with the history', async () => {
    const registry = new SlashCommands();
    registry.register(command('units', { resolve: () => ({ userText: 'UNITS BODY' }) }));
    const settings = { ...DEFAULT_SETTINGS, maxRetries: 0 };
    const c = new Conversation({
      client: createDirectClient(api.url, MOCK_KEY, settings),
      settings: () => settings,
      trans: nullTranslator.load('jupyterlab_claude'),
      commands: registry
    });
    await c.send('/units what is 3 ft in m?');
    await c.send('and 5 ft?');
    expect(c.turns[0].command).toMatchObject({ name: 'units', userText: 'UNITS BODY' });
    expect(c.turns[2].command).toBeUndefined();
    const requests = (await api.requests()).filter(r => r.path === '/v1/messages');
    expect(requests).toHaveLength(2);
    const first = requests[0].body.messages[0].content.map((b: any) => b.text);
    expect(first).toEqual(['UNITS BODY', '/units what is 3 ft in m?']);
    // The follow-up replays the first question exactly, command and all.
    const second = requests[1].body.messages[0].content.map((b: any) => b.text);
    expect(second).toEqual(first);
    expect(JSON.stringify(requests[1].body.messages[2])).not.toContain('UNITS BODY');
  });
});
