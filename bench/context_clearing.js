/*
 * Benchmark: the prompt cache while client-side clearing is in force (src/claude/contextWindow.ts).
 *
 * A conversation past the clearing trigger whose bulk is not tool results (a long pasted text),
 * then one tool round after another, each adding a 2,000-token result. Every request is built by
 * the extension's own code (request.ts `buildRequest`, with the watermark from `nextWatermark`,
 * as Conversation.buildRequest does) and sent with the Anthropic SDK to mock_api, which computes
 * cache reads and writes with the published rules. Run twice: clearing one result a round (the
 * watermark as it was, `clearAtLeastTokens: 0`) and in batches (the default policy).
 *
 * Reported: the share of input read from the cache over the rounds, and the rounds that wrote
 * more than 5,000 tokens to the cache (a miss in the conversation's prefix).
 *
 *   node bench/context_clearing.js [--rounds 30] [--json]
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
// Our TypeScript sources, compiled as they are required.
const { ROOT } = require('./session_support');

const Anthropic = require(path.join(ROOT, 'node_modules', '@anthropic-ai', 'sdk')).default;
const { buildRequest, toMessageParams } = require(path.join(ROOT, 'src', 'claude', 'request.ts'));
const { DEFAULT_CLEARING, nextWatermark, requestTokens } = require(
  path.join(ROOT, 'src', 'claude', 'contextWindow.ts')
);
const { DEFAULT_SETTINGS } = require(path.join(ROOT, 'src', 'claude', 'settings.ts'));

const KEY = 'bench-context-clearing-key';
const MODEL = 'claude-opus-4-7';
const args = process.argv.slice(2);
const ROUNDS = Number(args[args.indexOf('--rounds') + 1]) || 30;

function words(tokens, seed) {
  // About four characters a token, varied so that nothing repeats between results.
  let out = '';
  for (let i = 0; out.length < tokens * 4; i++) {
    out += `${seed}-${i} `;
  }
  return out.slice(0, tokens * 4);
}

function startMock() {
  const venv = path.join(ROOT, '.venv', 'bin', 'python');
  const python = process.env.PYTHON || (fs.existsSync(venv) ? venv : 'python3');
  const child = spawn(python, ['-m', 'mock_api', '--port', '0', '--api-key', KEY], { cwd: ROOT });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', chunk => {
      out += String(chunk);
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        resolve({ url: match[1], stop: () => child.kill('SIGTERM') });
      }
    });
    child.on('exit', code => reject(new Error(`mock_api exited (${code})`)));
  });
}

async function session(url, policy) {
  await fetch(`${url}/_mock/reset`, { method: 'POST' });
  const client = new Anthropic({ apiKey: KEY, baseURL: url, maxRetries: 0 });
  const settings = { ...DEFAULT_SETTINGS, model: MODEL };
  const exchange = [];
  const turns = [
    {
      id: 'q',
      role: 'user',
      text: `Here is the lab report:\n${words(99_000, 'report')}`,
      thinking: '',
      status: 'done'
    },
    { id: 'a', role: 'assistant', text: '', thinking: '', status: 'streaming', exchange }
  ];
  let watermark = 0;
  let last = 0;
  const rows = [];
  for (let round = 0; round < ROUNDS; round++) {
    exchange.push({
      role: 'assistant',
      content: [{ type: 'tool_use', id: `toolu_${round}`, name: 'read_cell', input: {} }]
    });
    exchange.push({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: `toolu_${round}`, content: words(2000, `cell${round}`) }]
    });
    watermark = nextWatermark(watermark, last, toMessageParams(turns), policy);
    const request = buildRequest({ settings, label: 'lab.ipynb', turns, tools: [], clearedToolResults: watermark });
    const message = await client.messages.create({ ...request, stream: false });
    last = requestTokens(message.usage);
    rows.push({
      round,
      watermark,
      input: message.usage.input_tokens,
      write: message.usage.cache_creation_input_tokens ?? 0,
      read: message.usage.cache_read_input_tokens ?? 0
    });
  }
  const counted = rows.slice(1);
  const total = counted.reduce((sum, r) => sum + r.input + r.write + r.read, 0);
  const read = counted.reduce((sum, r) => sum + r.read, 0);
  return { rows, share: read / total, misses: counted.filter(r => r.write > 5000).length };
}

async function main() {
  const mock = await startMock();
  try {
    const creeping = await session(mock.url, { ...DEFAULT_CLEARING, clearAtLeastTokens: 0 });
    const batched = await session(mock.url, DEFAULT_CLEARING);
    if (args.includes('--json')) {
      console.log(JSON.stringify({ creeping, batched }));
      return;
    }
    for (const [name, result] of [
      ['one result a round', creeping],
      ['in batches', batched]
    ]) {
      console.log(`\n${name}: round watermark  cache write  cache read`);
      for (const r of result.rows) {
        console.log(
          `${String(r.round).padStart(5)} ${String(r.watermark).padStart(9)} ${String(r.write).padStart(12)} ${String(r.read).padStart(11)}`
        );
      }
      console.log(
        `${name}: ${(result.share * 100).toFixed(1)}% of input read from the cache (rounds 2-${ROUNDS}), ` +
          `${result.misses} rounds writing more than 5,000 tokens`
      );
    }
  } finally {
    mock.stop();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
