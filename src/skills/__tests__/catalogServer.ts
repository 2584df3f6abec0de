/*
 * The server's own skill catalog (jupyterlab_claude/skills, Python) answering the browser's
 * requests in jest: each call runs the real listing, body or file read on real folders.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const FIXTURES = path.join(ROOT, 'tests', 'fixtures', 'skills');

function python(): string {
  const venv = path.join(ROOT, '.venv', 'bin', 'python');
  return process.env.PYTHON ?? (fs.existsSync(venv) ? venv : 'python3');
}

const SCRIPT = `
import json, sys
from jupyterlab_claude.errors import ClaudeError
from jupyterlab_claude.skills.catalog import BUILTIN_DIR, SkillCatalog
args = json.loads(sys.argv[1])
c = SkillCatalog([BUILTIN_DIR] if args["builtin"] else [], args["admin"], args["user"], args["project"])
route, q = args["route"], args["query"]
try:
    if route == "skills":
        out = c.listing()
    elif route == "skills/body":
        s = c.find(q["source"], q["name"])
        out = {"name": s.name, "description": s.description, "body": s.body, "files": s.files}
    else:
        out = c.read_file(q["source"], q["name"], q["path"])
    print(json.dumps({"ok": out}))
except ClaudeError as e:
    print(json.dumps({"error": e.message}))
`;

export interface ICatalogDirs {
  builtin?: boolean;
  admin?: string[];
  user?: string[];
  project?: string | null;
}

/**
 * A fetch for `SkillCatalog` served by the Python catalog over the given folders.
 */
export function serverFetch(dirs: ICatalogDirs) {
  const calls: string[] = [];
  const fetch = async <T>(route: string, query: Record<string, string> = {}): Promise<T> => {
    calls.push(route);
    const args = JSON.stringify({
      builtin: dirs.builtin ?? false,
      admin: dirs.admin ?? [],
      user: dirs.user ?? [],
      project: dirs.project ?? null,
      route,
      query
    });
    const out = JSON.parse(execFileSync(python(), ['-c', SCRIPT, args], { cwd: ROOT, encoding: 'utf-8' }));
    if (out.error) {
      throw new Error(out.error);
    }
    return out.ok as T;
  };
  return { fetch, calls };
}

/**
 * Write a skill folder.
 */
export function writeSkill(
  root: string,
  name: string,
  front: string,
  body: string,
  files: Record<string, string> = {}
) {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'SKILL.md'), `---\n${front}\n---\n${body}`);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
