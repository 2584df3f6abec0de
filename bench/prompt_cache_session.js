/*
 * The client side of bench/prompt_cache.py: a scripted session through the extension's own
 * Conversation (src/claude/conversation.ts, which builds each request with src/claude/request.ts),
 * the real tool registry and tools, the real notebook context builder, and the Anthropic SDK,
 * against the local Messages API server. Prints one JSON line: the usage of every turn.
 *
 *   node bench/prompt_cache_session.js --url URL --key KEY --notebook NB.ipynb --script SCRIPT.json [--move-breakpoint]
 *
 * The TypeScript sources are compiled on the fly (bench/session_support.js), with no build step.
 * `--move-breakpoint` is the client bug the benchmark must catch: the conversation's breakpoint
 * put on the first message's last block instead of the last message's.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const { ROOT, AcceptingQueue, notebookContext } = require('./session_support');

const Anthropic = require(path.join(ROOT, 'node_modules', '@anthropic-ai', 'sdk')).default;
const { Conversation } = require(path.join(ROOT, 'src', 'claude', 'conversation.ts'));
const { DEFAULT_SETTINGS } = require(path.join(ROOT, 'src', 'claude', 'settings.ts'));
const { ToolRegistry } = require(path.join(ROOT, 'src', 'agent', 'registry.ts'));
const { NOTEBOOK_READ_TOOLS } = require(path.join(ROOT, 'src', 'agent', 'tools.ts'));
const { PROPOSAL_TOOLS } = require(path.join(ROOT, 'src', 'proposals', 'tools.ts'));

function args() {
  const out = { moveBreakpoint: false };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (name === '--move-breakpoint') {
      out.moveBreakpoint = true;
    } else {
      out[name.replace(/^--/, '')] = argv[++i];
    }
  }
  return out;
}

/** The client bug: the conversation's breakpoint moved to the first message. */
function moveBreakpoint(params) {
  const blocks = params.messages.flatMap(m => m.content);
  const last = blocks[blocks.length - 1];
  delete last.cache_control;
  const first = params.messages[0].content;
  first[first.length - 1] = { ...first[first.length - 1], cache_control: { type: 'ephemeral' } };
  return params;
}

async function main() {
  const options = args();
  const notebook = JSON.parse(fs.readFileSync(options.notebook, 'utf-8'));
  const script = JSON.parse(fs.readFileSync(options.script, 'utf-8'));
  const client = new Anthropic({ baseURL: options.url, apiKey: options.key, maxRetries: 0 });
  if (options.moveBreakpoint) {
    const stream = client.messages.stream.bind(client.messages);
    client.messages.stream = params => stream(moveBreakpoint(params));
  }
  const registry = new ToolRegistry();
  [...NOTEBOOK_READ_TOOLS, ...PROPOSAL_TOOLS].forEach(tool => registry.register(tool));
  const tools = registry.toolsFor({
    notebook: () => notebook,
    kernel: () => null,
    notebookDir: () => '',
    inspectVariable: async () => ({ ok: false, message: 'no kernel in the benchmark' }),
    files: async () => ({ entries: [] }),
    proposals: new AcceptingQueue(notebook)
  });
  let active = null;
  const settings = { ...DEFAULT_SETTINGS };
  const conversation = new Conversation({
    client,
    settings: () => settings,
    label: path.basename(options.notebook),
    tools,
    context: async () => notebookContext(notebook, active, settings.contextBudgetTokens)
  });
  const turns = [];
  for (const step of script.turns) {
    for (const edit of step.editsBefore ?? []) {
      // The scientist edits a cell between questions.
      const cell = notebook.cells.find(c => c.id === edit.cell_id);
      cell.source = edit.source;
    }
    active = step.activeCellId ?? active;
    await conversation.send(step.question);
    const answer = conversation.turns[conversation.turns.length - 1];
    if (answer.status !== 'done') {
      throw new Error(`turn ${turns.length + 1} ended ${answer.status}: ${answer.error ?? ''}`);
    }
    turns.push({ ...answer.usage, requests: answer.exchange ? (answer.exchange.length + 1) / 2 : 1 });
  }
  process.stdout.write(JSON.stringify({ turns }) + '\n');
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
