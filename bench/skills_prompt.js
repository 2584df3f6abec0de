/*
 * Benchmark of the skills listing in the system prompt (src/skills/prompt.ts).
 *
 * Reads the real skills the project has (the five built-in ones and the third-party skills in
 * tests/fixtures/skills) through the server's own catalog (jupyterlab_claude/skills), then:
 *   - the system-prompt tokens each installed skill adds (its name and description only),
 *   - the listing for 10, 40, 80 and 160 installed skills (their descriptions drawn in turn from
 *     the real ones, names made unique, as a big public collection would be), against the
 *     budget SKILL_LISTING_BUDGET_TOKENS, and how the budget is kept when they do not fit.
 *
 *   node bench/skills_prompt.js [--json]
 *
 * Tokens are the project's estimate (4 characters a token, as the context budget counts them);
 * the API's own count for English prose is close to it.
 */
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..');

function loadPrompt() {
  const source = fs.readFileSync(path.join(ROOT, 'src', 'skills', 'prompt.ts'), 'utf-8');
  const out = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 }
  }).outputText;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'skills-bench-')), 'prompt.js');
  fs.writeFileSync(file, out);
  return require(file);
}

function realSkills() {
  const venv = path.join(ROOT, '.venv', 'bin', 'python');
  const python = fs.existsSync(venv) ? venv : 'python3';
  const script = [
    'import json, os',
    'from jupyterlab_claude.skills.catalog import BUILTIN_DIR, SkillCatalog',
    "f = os.path.join('tests', 'fixtures', 'skills')",
    'roots = [os.path.join(f, d) for d in sorted(os.listdir(f)) if os.path.isdir(os.path.join(f, d))]',
    'print(json.dumps(SkillCatalog([BUILTIN_DIR], roots, [], None).listing()))'
  ].join('\n');
  const listing = JSON.parse(execFileSync(python, ['-c', script], { cwd: ROOT, encoding: 'utf-8' }));
  return listing.skills.filter(s => !s.problems.length);
}

function main() {
  const json = process.argv.includes('--json');
  const { skillListing, estimateTokens, SKILL_LISTING_BUDGET_TOKENS } = loadPrompt();
  const real = realSkills();
  const empty = skillListing([]).tokens;
  const header = skillListing([{ name: 'x', description: '', source: 'user' }]).tokens;
  const perSkill = real.map(s => ({
    name: s.name,
    source: s.source,
    description_chars: s.description.length,
    tokens: estimateTokens(`\n- ${s.name}: ${s.description}`)
  }));
  const mean = perSkill.reduce((a, s) => a + s.tokens, 0) / perSkill.length;
  // What progressive disclosure saves: the bodies, had they gone into the prompt up front.
  const bodies = real.reduce((a, s) => a + Math.ceil(s.body_chars / 4), 0);
  const listed = perSkill.reduce((a, s) => a + s.tokens, 0);
  const sizes = [10, 40, 80, 160].map(n => {
    const skills = Array.from({ length: n }, (_, i) => {
      const base = real[i % real.length];
      return { name: `${base.name}-${i}`, description: base.description, source: i % 4 === 0 ? 'project' : 'user' };
    });
    const full = skills.reduce((a, s) => a + estimateTokens(`\n- ${s.name}: ${s.description}`), header);
    const listing = skillListing(skills);
    return {
      skills: n,
      tokens_unbounded: full,
      tokens: listing.tokens,
      within_budget: listing.tokens <= SKILL_LISTING_BUDGET_TOKENS,
      listed: listing.listed,
      shortened: listing.shortened,
      omitted: listing.omitted.length
    };
  });
  const result = {
    budget_tokens: SKILL_LISTING_BUDGET_TOKENS,
    empty_tokens: empty,
    header_tokens: header,
    mean_tokens_per_skill: Math.round(mean),
    bodies_tokens: bodies,
    listed_tokens: listed,
    per_skill: perSkill,
    sizes
  };
  if (json) {
    console.log(JSON.stringify(result, null, 1));
    return;
  }
  console.log(
    `Skills listing in the system prompt (budget ${SKILL_LISTING_BUDGET_TOKENS} tokens; header ${header} tokens)`
  );
  console.log('\nTokens each real skill adds (name and description only; the body is loaded by use_skill):');
  for (const s of perSkill) {
    console.log(
      `  ${s.name.padEnd(28)} ${s.source.padEnd(9)} ${String(s.description_chars).padStart(5)} chars  ${String(s.tokens).padStart(4)} tokens`
    );
  }
  console.log(`  mean: ${Math.round(mean)} tokens a skill`);
  console.log(
    `  these ${real.length} skills: ${listed} tokens listed, against ${bodies} tokens of bodies (${(bodies / listed).toFixed(0)}x) had they been sent up front`
  );
  console.log('\nInstalled skills  unbounded  listing  within  listed  shortened  omitted');
  for (const s of sizes) {
    console.log(
      `  ${String(s.skills).padStart(14)}  ${String(s.tokens_unbounded).padStart(9)}  ${String(s.tokens).padStart(7)}  ${String(s.within_budget).padStart(6)}  ${String(s.listed).padStart(6)}  ${String(s.shortened).padStart(9)}  ${String(s.omitted).padStart(7)}`
    );
  }
}

main();
