/*
 * MCP tools as the Messages API takes them: a name of 1-64 letters, digits, `_` or `-`
 * (`mcp__<server>__<tool>`), and an input schema that is a JSON Schema object. What can be
 * repaired is repaired and said; what cannot leaves the tool out, with the reason shown.
 */
import type { IToolDefinition } from '../agent/tokens';

/**
 * The longest input schema offered, as JSON (a larger one costs every request its tokens).
 */
export const MAX_SCHEMA_CHARS = 32000;

/**
 * The name Claude calls a tool by: `mcp__<server>__<tool>`, characters the API refuses
 * turned into `_`, cut to 64 with a short hash so two long names stay apart.
 */
export function mcpToolName(server: string, tool: string): string {
  const clean = (s: string) => s.replace(/[^a-zA-Z0-9_-]/g, '_');
  const name = `mcp__${clean(server)}__${clean(tool)}`;
  if (name.length <= 64 && name === `mcp__${server}__${tool}`) {
    return name;
  }
  // Changed or cut: a hash of the exact pair keeps different tools apart.
  const hash = Private.hash(`${server}\u0000${tool}`);
  return name.length <= 64 - 7 ? `${name}_${hash}` : `${name.slice(0, 64 - 7)}_${hash}`;
}

/**
 * A schema made acceptable, with what was changed; or why it cannot be.
 */
export type SchemaRepair = { schema: IToolDefinition['input_schema']; repairs: string[] } | { error: string };

/**
 * Make an MCP tool's `inputSchema` one the Messages API takes.
 */
export function repairSchema(input: unknown): SchemaRepair {
  const repairs: string[] = [];
  if (input === undefined || input === null) {
    return { schema: { type: 'object', properties: {} }, repairs: ['no input schema: takes no arguments'] };
  }
  if (typeof input !== 'object' || Array.isArray(input)) {
    return { error: 'its input schema is not a JSON object' };
  }
  let text: string;
  try {
    text = JSON.stringify(input);
  } catch {
    return { error: 'its input schema cannot be written as JSON' };
  }
  if (text.length > MAX_SCHEMA_CHARS) {
    return { error: `its input schema is too large (${text.length.toLocaleString()} characters as JSON)` };
  }
  const schema = JSON.parse(text) as Record<string, unknown>;
  const remote = Private.remoteRef(schema);
  if (remote) {
    return { error: `its input schema refers to another document (${remote})` };
  }
  for (const key of ['$schema', '$id']) {
    if (key in schema) {
      delete schema[key];
      repairs.push(`removed ${key}`);
    }
  }
  if (schema.type === undefined) {
    const branches = (schema.anyOf ?? schema.oneOf ?? schema.allOf) as unknown;
    if (Array.isArray(branches) && branches.length) {
      const merged = Private.mergeObjectBranches(branches, 'allOf' in schema && !schema.anyOf && !schema.oneOf);
      if (!merged) {
        return { error: 'its input schema is a choice of schemas that are not all objects' };
      }
      delete schema.anyOf;
      delete schema.oneOf;
      delete schema.allOf;
      Object.assign(schema, merged);
      repairs.push('merged the alternatives of its top level into one object');
    } else {
      repairs.push('added "type": "object"');
    }
    schema.type = 'object';
  } else if (schema.type !== 'object') {
    return { error: `its input schema is of type ${JSON.stringify(schema.type)}, not an object` };
  }
  if (schema.properties === undefined) {
    schema.properties = {};
  } else if (!Private.isObject(schema.properties)) {
    return { error: 'its input schema has "properties" that are not an object' };
  }
  const properties = schema.properties as Record<string, unknown>;
  for (const [key, value] of Object.entries(properties)) {
    if (!Private.isObject(value) && typeof value !== 'boolean') {
      delete properties[key];
      repairs.push(`dropped the malformed property "${key}"`);
    }
  }
  if (schema.required !== undefined) {
    const required = Array.isArray(schema.required) ? schema.required : [];
    const kept = required.filter((r): r is string => typeof r === 'string' && r in properties);
    if (kept.length !== required.length || !Array.isArray(schema.required)) {
      repairs.push('dropped "required" entries that name no property');
    }
    if (kept.length) {
      schema.required = [...new Set(kept)];
    } else {
      delete schema.required;
    }
  }
  return { schema: schema as IToolDefinition['input_schema'], repairs };
}

namespace Private {
  export function isObject(value: unknown): value is Record<string, unknown> {
    return !!value && typeof value === 'object' && !Array.isArray(value);
  }

  /** A `$ref` anywhere that points outside the schema itself. */
  export function remoteRef(value: unknown, depth = 0): string | null {
    if (depth > 64) {
      return 'nested too deep';
    }
    if (Array.isArray(value)) {
      for (const item of value) {
        const found = remoteRef(item, depth + 1);
        if (found) {
          return found;
        }
      }
    } else if (isObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (key === '$ref' && typeof item === 'string' && !item.startsWith('#')) {
          return item.slice(0, 80);
        }
        const found = remoteRef(item, depth + 1);
        if (found) {
          return found;
        }
      }
    }
    return null;
  }

  /**
   * One object from alternatives that are all objects: every property of any branch, required
   * only what every branch requires (for allOf, what any branch requires).
   */
  export function mergeObjectBranches(branches: unknown[], all: boolean): Record<string, unknown> | null {
    const properties: Record<string, unknown> = {};
    let required: string[] | null = null;
    for (const branch of branches) {
      if (!isObject(branch) || (branch.type !== undefined && branch.type !== 'object')) {
        return null;
      }
      if (branch.properties !== undefined && !isObject(branch.properties)) {
        return null;
      }
      Object.assign(properties, branch.properties ?? {});
      const own = Array.isArray(branch.required) ? branch.required.filter(r => typeof r === 'string') : [];
      required =
        required === null ? own : all ? [...new Set([...required, ...own])] : required.filter(r => own.includes(r));
    }
    return { properties, ...(required?.length ? { required } : {}) };
  }

  /** Six hex digits of FNV-1a. */
  export function hash(text: string): string {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(16).padStart(8, '0').slice(0, 6);
  }
}
