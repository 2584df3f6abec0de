/**
 * @jest-environment node
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { nullTranslator } from '@jupyterlab/translation';
import { ToolRegistry } from '../../agent/registry';
import { MockApi, MOCK_KEY } from '../../claude/__tests__/mockApi';
import { Conversation } from '../../claude/conversation';
import { createDirectClient } from '../../claude/direct';
import { DEFAULT_SETTINGS } from '../../claude/settings';
import { SkillCatalog } from '../catalog';
import { resolveSkills } from '../precedence';
import { estimateTokens, skillListing, SKILL_LISTING_BUDGET_TOKENS } from '../prompt';
import type { ISkillInfo } from '../tokens';
import { SKILL_PART_CHARS, skillBodyText, skillTools } from '../tools';
import { FIXTURES, serverFetch, writeSkill } from './catalogServer';

const api = MockApi.forTestFile();

function info(name: string, source: ISkillInfo['source'], extra: Partial<ISkillInfo> = {}): ISkillInfo {
  return {
    name,
    folder: name,
    source,
    location: source,
    description: `${name} from ${source}`,
    license: null,
    compatibility: null,
    allowed_tools: [],
    problems: [],
    warnings: [],
    files: ['SKILL.md'],
    size: 10,
    body_chars: 5,
    ...extra
  };
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'skills-'));
}

describe('precedence', () => {
  it('puts the most specific source in force and lists what it shadows', () => {
    const entries = resolveSkills(
      [info('units', 'built-in'), info('units', 'project'), info('units', 'user'), info('qc', 'admin')],
      []
    );
    expect(entries.map(e => [e.name, e.source, e.shadows.map(s => s.source)])).toEqual([
      ['qc', 'admin', []],
      ['units', 'project', ['user', 'built-in']]
    ]);
  });

  it('never lets a malformed skill hide a valid one, and lists it with its problem', () => {
    const entries = resolveSkills(
      [info('units', 'user'), info('units', 'project', { problems: ["'description' is 1100 characters"] })],
      []
    );
    expect(entries.map(e => [e.source, e.enabled, e.problems])).toEqual([
      ['user', true, []],
      ['project', false, ["'description' is 1100 characters"]]
    ]);
  });

  it('switches a skill off by name', () => {
    const [entry] = resolveSkills([info('units', 'user')], ['units']);
    expect([entry.enabled, entry.disabled]).toEqual([false, true]);
  });
});

describe('the listing', () => {
  it('holds names and descriptions only, and costs about a description per skill', () => {
    const one = skillListing([info('units', 'user')]);
    const two = skillListing([info('units', 'user'), info('qc-series', 'user')]);
    expect(one.text).toContain('- units: units from user');
    // One more skill costs its line: about a quarter token per character of name and description.
    expect(
      Math.abs(two.tokens - one.tokens - estimateTokens('\n- qc-series: qc-series from user'))
    ).toBeLessThanOrEqual(1);
    expect(skillListing([]).text).toBe('');
  });

  it('fits 160 skills in the budget by shortening every description alike', () => {
    const many = Array.from({ length: 160 }, (_, i) =>
      info(`skill-${i}`, 'user', { description: `Does task ${i}. `.repeat(30) })
    );
    const listing = skillListing(many);
    expect(listing.tokens).toBeLessThanOrEqual(SKILL_LISTING_BUDGET_TOKENS);
    expect(listing.listed).toBe(160);
    expect(listing.shortened).toBe(160);
    expect(listing.text).toContain('- skill-159: Does task 159.');
  });

  it('when even names do not fit, keeps the most specific sources and says how many are left out', () => {
    const many = [
      ...Array.from({ length: 30 }, (_, i) => info(`built-in-${i}`, 'built-in')),
      ...Array.from({ length: 5 }, (_, i) => info(`project-${i}`, 'project'))
    ];
    const listing = skillListing(many, 300);
    expect(listing.tokens).toBeLessThanOrEqual(300);
    expect(listing.omitted.length).toBeGreaterThan(0);
    expect(listing.text).toContain('- project-4:');
    expect(listing.text).toContain(`(${listing.omitted.length} more enabled skills are not listed`);
  });
});

describe('the catalog and the skill tools, over the real server catalog', () => {
  const project = tmp();
  const skills = path.join(project, '.claude', 'skills');
  writeSkill(
    skills,
    'plate-reader-qc',
    'name: plate-reader-qc\ndescription: "QC of 96-well plate reader exports: blanks, edge effects, saturation."',
    '# Plate reader QC\n\nSubtract the blank wells first. PLATE-BODY-MARKER\n',
    { 'references/edge.md': 'Edge wells evaporate faster.\n', 'scripts/check.py': 'print("qc")\n' }
  );
  fs.cpSync(
    path.join(FIXTURES, 'scientific-agent-skills', 'statistical-analysis'),
    path.join(skills, 'statistical-analysis'),
    {
      recursive: true
    }
  );
  fs.cpSync(path.join(FIXTURES, 'malformed', 'bad-front-matter'), path.join(skills, 'bad-front-matter'), {
    recursive: true
  });
  fs.symlinkSync('/etc/hostname', path.join(skills, 'plate-reader-qc', 'references', 'host.md'));

  async function setup(disabled: string[] = []) {
    const server = serverFetch({ builtin: true, admin: [path.join(FIXTURES, 'anthropics-skills')], project });
    const saved: string[][] = [];
    const catalog = new SkillCatalog({ fetch: server.fetch, saveDisabled: async names => void saved.push(names) });
    catalog.setDisabled(disabled);
    await catalog.refresh();
    const registry = new ToolRegistry();
    skillTools(catalog).forEach(t => registry.register(t));
    const tools = registry.toolsFor({
      notebook: () => null,
      kernel: () => null,
      notebookDir: () => '',
      inspectVariable: async () => ({ ok: false, reason: 'no-kernel', message: 'No kernel.' }),
      files: async () => null
    });
    return { catalog, tools, saved, server };
  }

  it('lists built-in, admin and project skills, malformed ones with their problem', async () => {
    const { catalog } = await setup();
    const names = catalog.enabled().map(e => `${e.source}:${e.name}`);
    expect(names).toEqual(
      expect.arrayContaining(['project:plate-reader-qc', 'project:statistical-analysis', 'admin:skill-creator'])
    );
    expect(names.filter(n => n.startsWith('built-in:'))).toHaveLength(5);
    const bad = catalog.entries.find(e => e.name === 'bad-front-matter')!;
    expect(bad.enabled).toBe(false);
    expect(bad.problems[0]).toMatch(/^The front matter is not valid YAML/);
    expect(catalog.listing()).toContain('- plate-reader-qc: QC of 96-well plate reader exports');
    expect(catalog.listing()).not.toContain('PLATE-BODY-MARKER');
    expect(catalog.listing()).not.toContain('bad-front-matter');
  });

  it('use_skill returns the body and the files; read_skill_file reads one, confined', async () => {
    const { tools } = await setup();
    const body = await tools.run('use_skill', { name: 'plate-reader-qc' });
    expect(body.isError).toBeFalsy();
    expect(body.content).toContain('PLATE-BODY-MARKER');
    expect(body.content).toContain('references/edge.md, scripts/check.py');
    const file = await tools.run('read_skill_file', { name: 'plate-reader-qc', path: 'references/edge.md' });
    expect(file.content).toBe('Edge wells evaporate faster.\n');
    for (const p of ['../statistical-analysis/SKILL.md', '/etc/hostname', 'references/host.md']) {
      const refused = await tools.run('read_skill_file', { name: 'plate-reader-qc', path: p });
      expect(refused.isError).toBe(true);
    }
    const unknown = await tools.run('use_skill', { name: 'nope' });
    expect(unknown.isError).toBe(true);
    expect(unknown.content).toContain('The enabled skills are:');
  });

  it('a long real skill comes in parts that fit a tool result', async () => {
    const { tools } = await setup();
    const first = await tools.run('use_skill', { name: 'skill-creator' });
    expect(first.content).toContain('part="1/3"');
    expect(first.content).toContain('call use_skill with part 2');
    const third = await tools.run('use_skill', { name: 'skill-creator', part: 3 });
    expect(third.content).toContain('part="3/3"');
    expect(skillBodyText('x', 'a'.repeat(SKILL_PART_CHARS), [], '')).not.toContain('part=');
  });

  it('a switched-off skill leaves the listing and its tools refuse it; the switch is saved', async () => {
    const { catalog, tools, saved } = await setup();
    await catalog.setEnabled('plate-reader-qc', false);
    expect(saved).toEqual([['plate-reader-qc']]);
    expect(catalog.listing()).not.toContain('plate-reader-qc');
    const refused = await tools.run('use_skill', { name: 'plate-reader-qc' });
    expect(refused.content).toContain('switched off');
  });

  it('in a conversation: the description in the system prompt, the body only in the tool result', async () => {
    const { catalog, tools } = await setup();
    await api.queue('tool_use_skill');
    const settings = { ...DEFAULT_SETTINGS, maxRetries: 0 };
    const c = new Conversation({
      client: createDirectClient(api.url, MOCK_KEY, settings),
      settings: () => settings,
      trans: nullTranslator.load('jupyterlab_claude'),
      tools,
      system: () => [catalog.listing()]
    });
    await c.send('Are the edge wells of plate 3 off?');
    const requests = (await api.requests()).filter(r => r.path === '/v1/messages');
    expect(requests).toHaveLength(2);
    const [first, second] = requests.map(r => r.body);
    const system = JSON.stringify(first.system);
    expect(system).toContain('plate-reader-qc: QC of 96-well plate reader exports');
    expect(JSON.stringify(first)).not.toContain('PLATE-BODY-MARKER');
    // The listing is in the cached prefix: the breakpoint is on a system block after it.
    expect(first.system[first.system.length - 1].cache_control).toEqual({ type: 'ephemeral' });
    const result = second.messages[second.messages.length - 1].content.find((b: any) => b.type === 'tool_result');
    expect(JSON.stringify(result)).toContain('PLATE-BODY-MARKER');
    expect(c.turns[c.turns.length - 1].status).toBe('done');
  });
});
