/*
 * The client side of bench/plan_task.py: a scripted 10-step planned task through the
 * extension's own Conversation, tool registry, tools (the plan tools included) and plans model,
 * with the Anthropic SDK, against the local Messages API server. The scientist's side is
 * scripted: the plan is approved as proposed, every proposal is accepted, and each run leaves
 * its output in the notebook. Prints one JSON line: the usage of every request and the steps done.
 *
 *   node bench/plan_task_session.js --url URL --key KEY --notebook NB.ipynb --data DIR --script SCRIPT.json
 *        [--no-clearing | --clear-at TOKENS] [--compact-at TOKENS]
 *
 * Each response is queued just before its request goes (a compaction request gets the
 * summary), so the same script serves every configuration whatever it sends.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const { ROOT, AcceptingQueue, notebookContext } = require('./session_support');

const Anthropic = require(path.join(ROOT, 'node_modules', '@anthropic-ai', 'sdk')).default;
const { Conversation } = require(path.join(ROOT, 'src', 'claude', 'conversation.ts'));
const { COMPACTION_INSTRUCTION } = require(path.join(ROOT, 'src', 'claude', 'compaction.ts'));
const { DEFAULT_CLEARING } = require(path.join(ROOT, 'src', 'claude', 'contextWindow.ts'));
const { DEFAULT_SETTINGS } = require(path.join(ROOT, 'src', 'claude', 'settings.ts'));
const { ToolRegistry } = require(path.join(ROOT, 'src', 'agent', 'registry.ts'));
const { NotebookPlans } = require(path.join(ROOT, 'src', 'agent', 'plan.ts'));
const { PLAN_TOOLS } = require(path.join(ROOT, 'src', 'agent', 'planTools.ts'));
const { NOTEBOOK_READ_TOOLS } = require(path.join(ROOT, 'src', 'agent', 'tools.ts'));
const { PROPOSAL_TOOLS } = require(path.join(ROOT, 'src', 'proposals', 'tools.ts'));

function args() {
  const out = { clearing: true, clearAt: 0, compactAt: 0 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (name === '--no-clearing') {
      out.clearing = false;
    } else if (name === '--clear-at') {
      out.clearAt = Number(argv[++i]);
    } else if (name === '--compact-at') {
      out.compactAt = Number(argv[++i]);
    } else {
      out[name.replace(/^--/, '')] = argv[++i];
    }
  }
  return out;
}

async function main() {
  const options = args();
  const notebook = JSON.parse(fs.readFileSync(options.notebook, 'utf-8'));
  const script = JSON.parse(fs.readFileSync(options.script, 'utf-8'));
  const csv = fs.readFileSync(path.join(options.data, 'nls_incarceration_processed.csv'), 'utf-8').split('\n');
  const queue = [...script.responses];
  const requests = [];
  // Queue each scripted response just before its request, then send the request unchanged.
  const enqueue = async name => {
    const reply = await fetch(`${options.url}/_mock/queue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fixture: name })
    });
    if (!reply.ok) {
      throw new Error(`could not queue ${name}: ${await reply.text()}`);
    }
  };
  const client = new Anthropic({
    baseURL: options.url,
    apiKey: options.key,
    maxRetries: 0,
    fetch: async (url, init) => {
      if (String(url).includes('/v1/messages')) {
        const body = JSON.parse(String(init.body));
        const compaction = !body.tools && JSON.stringify(body.messages).includes(COMPACTION_INSTRUCTION.slice(0, 60));
        const name = compaction ? script.summary : queue.shift();
        if (!name) {
          throw new Error('the script ran out of responses');
        }
        requests.push({ name, compaction });
        await enqueue(name);
      }
      return fetch(url, init);
    }
  });
  const plans = new NotebookPlans();
  // The scientist approves each plan as proposed.
  plans.changed.connect(() => {
    for (const plan of plans.plans) {
      if (plan.status === 'proposed') {
        plans.approve(plan.id);
      }
    }
  });
  // A run prints a slice of the data (about 16,000 characters: what a wide table prints).
  const output = cell => {
    const start = 1 + ((Number(String(cell.id).replace(/\D/g, '')) * 97) % (csv.length - 500));
    return csv.slice(start, start + 420).join('\n');
  };
  const registry = new ToolRegistry();
  [...NOTEBOOK_READ_TOOLS, ...PROPOSAL_TOOLS, ...PLAN_TOOLS].forEach(tool => registry.register(tool));
  const tools = registry.toolsFor({
    notebook: () => notebook,
    kernel: () => null,
    notebookDir: () => '',
    inspectVariable: async () => ({ ok: false, message: 'no kernel in the benchmark' }),
    files: async (route, params) => {
      const lines = csv.slice(0, Number(params.lines) || 20);
      return { path: params.path, format: 'csv', size: csv.join('\n').length, text: lines.join('\n'), truncated: true };
    },
    proposals: new AcceptingQueue(notebook, { output, keepOutputs: true }),
    plans
  });
  const settings = { ...DEFAULT_SETTINGS, compactAtTokens: options.compactAt };
  const conversation = new Conversation({
    client,
    settings: () => settings,
    label: path.basename(options.notebook),
    tools,
    // The product's policy, or the same with another trigger, or none.
    clearing: !options.clearing
      ? null
      : options.clearAt
        ? { ...DEFAULT_CLEARING, triggerTokens: options.clearAt }
        : undefined,
    context: async () => notebookContext(notebook, null, settings.contextBudgetTokens)
  });
  for (const question of script.questions) {
    await conversation.send(question);
    const answer = conversation.turns[conversation.turns.length - 1];
    if (answer.status !== 'done') {
      throw new Error(`"${question}" ended ${answer.status}: ${answer.error ?? ''}`);
    }
  }
  const usage = conversation.turns
    .filter(turn => turn.role === 'assistant' && turn.usage)
    .map(turn => ({ compaction: !!turn.compaction, ...turn.usage }));
  const plan = plans.plans[plans.plans.length - 1];
  process.stdout.write(
    JSON.stringify({
      usage,
      requests: requests.length,
      compactions: requests.filter(r => r.compaction).length,
      stepsDone: plan ? plan.steps.filter(s => s.status === 'done').length : 0,
      steps: plan ? plan.steps.length : 0,
      clearedToolResults: Math.max(0, ...conversation.turns.map(t => t.clearedToolResults ?? 0))
    }) + '\n'
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
