/*
 * MCP prompts as `/server:prompt` commands of the message box: the draft after the name gives
 * the prompt's arguments (`name=value` pairs, or values in the prompt's order).
 */
import type { IMcpPromptInfo } from './tokens';

/**
 * The command name of a prompt: `server:prompt`, characters a command name cannot have as `_`.
 */
export function promptCommandName(server: string, prompt: string): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${clean(server)}:${clean(prompt)}`.replace(/^[^A-Za-z0-9]/, 'p').slice(0, 100);
}

/**
 * The prompt's arguments from the draft after its command: `a=1 b="two words"`, or plain
 * values taken in the order the prompt lists its arguments. Throws on a missing required one.
 */
export function promptArguments(prompt: IMcpPromptInfo, text: string): Record<string, string> {
  const declared = prompt.arguments ?? [];
  const words = [...text.matchAll(/(\w+)=("([^"]*)"|'([^']*)'|\S+)|"([^"]*)"|'([^']*)'|(\S+)/g)];
  const args: Record<string, string> = {};
  const positional: string[] = [];
  for (const m of words) {
    if (m[1] !== undefined) {
      args[m[1]] = m[3] ?? m[4] ?? m[2];
    } else {
      positional.push(m[5] ?? m[6] ?? m[7]);
    }
  }
  const free = declared.filter(a => !(a.name in args));
  positional.forEach((value, i) => {
    if (i < free.length) {
      args[free[i].name] = value;
    }
  });
  const missing = declared.filter(a => a.required && !(a.name in args)).map(a => a.name);
  if (missing.length) {
    throw new Error(`The prompt ${prompt.name} needs: ${missing.join(', ')}`);
  }
  const known = new Set(declared.map(a => a.name));
  for (const key of Object.keys(args)) {
    if (!known.has(key)) {
      delete args[key];
    }
  }
  return args;
}
