/**
 * MCP tools as the Messages API takes them: names `mcp__<server>__<tool>` within the API's
 * pattern, schemas repaired where they can be, left out with a reason where they cannot.
 */
import { mcpToolName, repairSchema } from '../schema';
import { recordedListing } from './transport';

const API_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

describe('mcpToolName', () => {
  it('names a tool mcp__<server>__<tool> when the pair is already valid', () => {
    expect(mcpToolName('uvvis', 'acquire_spectrum')).toBe('mcp__uvvis__acquire_spectrum');
    expect(mcpToolName('everything', 'get-tiny-image')).toBe('mcp__everything__get-tiny-image');
  });

  it('replaces characters the API refuses and keeps different tools apart with a hash', () => {
    const a = mcpToolName('lab.epics', 'caget pv');
    const b = mcpToolName('lab_epics', 'caget_pv');
    expect(a).toMatch(API_NAME);
    expect(a.startsWith('mcp__lab_epics__caget_pv_')).toBe(true);
    expect(b).toBe('mcp__lab_epics__caget_pv');
    expect(a).not.toBe(b);
  });

  it('cuts long names to 64 characters, still unique', () => {
    const long = 'x'.repeat(80);
    const a = mcpToolName('server', `${long}a`);
    const b = mcpToolName('server', `${long}b`);
    expect(a).toMatch(API_NAME);
    expect(b).toMatch(API_NAME);
    expect(a).not.toBe(b);
  });

  it('gives every recorded tool a valid, distinct name', () => {
    const names = recordedListing().servers.flatMap(s => s.tools.map(t => mcpToolName(s.name, t.name)));
    names.forEach(n => expect(n).toMatch(API_NAME));
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('repairSchema', () => {
  it('takes the recorded schemas of the instrument and server-everything, dropping only $schema', () => {
    for (const server of recordedListing().servers) {
      for (const tool of server.tools) {
        const repaired = repairSchema(tool.inputSchema);
        expect('schema' in repaired).toBe(true);
        if ('schema' in repaired) {
          expect(repaired.schema.type).toBe('object');
          expect(repaired.repairs.filter(r => r !== 'removed $schema')).toEqual([]);
        }
      }
    }
  });

  it('gives a tool without a schema an empty object schema, and says so', () => {
    expect(repairSchema(undefined)).toEqual({
      schema: { type: 'object', properties: {} },
      repairs: ['no input schema: takes no arguments']
    });
  });

  it('adds a missing top-level type and drops required names that are no property', () => {
    const repaired = repairSchema({ properties: { a: { type: 'number' } }, required: ['a', 'ghost', 3] });
    expect(repaired).toEqual({
      schema: { type: 'object', properties: { a: { type: 'number' } }, required: ['a'] },
      repairs: ['added "type": "object"', 'dropped "required" entries that name no property']
    });
  });

  it('merges a top-level anyOf of objects into one object, requiring what every branch requires', () => {
    const repaired = repairSchema({
      anyOf: [
        { type: 'object', properties: { pv: { type: 'string' }, timeout: { type: 'number' } }, required: ['pv'] },
        { type: 'object', properties: { pv: { type: 'string' }, all: { type: 'boolean' } }, required: ['pv', 'all'] }
      ]
    });
    expect('schema' in repaired && repaired.schema).toEqual({
      type: 'object',
      properties: { pv: { type: 'string' }, timeout: { type: 'number' }, all: { type: 'boolean' } },
      required: ['pv']
    });
  });

  it('drops malformed properties', () => {
    const repaired = repairSchema({ type: 'object', properties: { ok: { type: 'string' }, bad: 'string' } });
    expect('schema' in repaired && repaired.schema.properties).toEqual({ ok: { type: 'string' } });
  });

  it.each([
    [{ type: 'array', items: { type: 'number' } }, 'of type "array", not an object'],
    [{ anyOf: [{ type: 'string' }, { type: 'object' }] }, 'not all objects'],
    [{ type: 'object', properties: { a: { $ref: 'https://example.org/pv.json' } } }, 'refers to another document'],
    [{ type: 'object', properties: [] }, '"properties" that are not an object'],
    ['{"type": "object"}', 'not a JSON object'],
    [{ type: 'object', description: 'x'.repeat(40000) }, 'too large']
  ])('leaves out %j with the reason', (schema, reason) => {
    const repaired = repairSchema(schema);
    expect('error' in repaired && repaired.error).toContain(reason);
  });

  it('keeps references inside the schema', () => {
    const schema = {
      type: 'object',
      properties: { point: { $ref: '#/$defs/point' } },
      $defs: { point: { type: 'object', properties: { x: { type: 'number' } } } }
    };
    expect(repairSchema(schema)).toEqual({ schema, repairs: [] });
  });
});
