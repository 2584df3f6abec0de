/*
 * What the benchmarks that drive the extension's own conversation in Node share: our
 * TypeScript sources (and JupyterLab's ES modules) compiled to CommonJS as they are required,
 * with the project's TypeScript (no build step), and the scientist's side of proposals.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const ts = require(path.join(ROOT, 'node_modules', 'typescript'));

const OPTIONS = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
const compile = (module, file) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(file, 'utf-8'), {
    compilerOptions: OPTIONS,
    fileName: file
  });
  module._compile(outputText, file);
};
const plainJs = require.extensions['.js'];
require.extensions['.ts'] = compile;
require.extensions['.js'] = (module, file) =>
  /node_modules[\\/]@jupyterlab[\\/]/.test(file) ? compile(module, file) : plainJs(module, file);
require.extensions['.py'] = (module, file) => {
  module.exports = fs.readFileSync(file, 'utf-8');
};

/**
 * The scientist's side of proposals: each one is accepted and applied to the notebook JSON.
 * A run answers with `output(cell)` and, when `keepOutputs`, leaves it as the cell's output
 * (with an execution count), as a real run would.
 */
class AcceptingQueue {
  constructor(notebook, options = {}) {
    this.notebook = notebook;
    this.output = options.output ?? (() => '0.4213');
    this.keepOutputs = !!options.keepOutputs;
    this.runs = 0;
    this.proposals = [];
    this.changed = { connect: () => true, disconnect: () => true };
  }

  async propose(kind, input) {
    const cells = this.notebook.cells;
    const at = cells.findIndex(c => c.id === input.cell_id);
    if (kind === 'insert') {
      const id = `bench-${cells.length}`;
      cells.splice(at + 1, 0, {
        id,
        cell_type: input.cell_type,
        metadata: {},
        source: input.source,
        ...(input.cell_type === 'code' ? { outputs: [], execution_count: null } : {})
      });
      return { content: `The scientist accepted: a new ${input.cell_type} cell (id ${id}) was inserted.` };
    }
    if (kind === 'replace' && at >= 0) {
      cells[at].source = input.source;
      return { content: `The scientist accepted the change to cell ${input.cell_id}.` };
    }
    if (kind === 'run' && at >= 0) {
      const text = this.output(cells[at]);
      if (this.keepOutputs) {
        cells[at].execution_count = ++this.runs;
        cells[at].outputs = [{ output_type: 'stream', name: 'stdout', text }];
      }
      return { content: `The cell ran. Outputs:\n[stream stdout] ${text}` };
    }
    return { content: `No cell with id ${input.cell_id}.`, isError: true };
  }
  accept() {
    return Promise.resolve();
  }
  reject() {}
  canUndo() {
    return false;
  }
  undo() {
    return null;
  }
  cancelPending() {}
}

/**
 * What a question carries about the notebook, built by the extension's own context builder
 * (no kernel, no images).
 */
function notebookContext(notebook, activeCellId, budgetTokens) {
  const { buildContext } = require(path.join(ROOT, 'src', 'context', 'budget.ts'));
  const context = buildContext({ notebook, activeCellId, budgetTokens });
  return {
    stableText: context.stableText,
    volatileText: context.volatileText,
    images: [],
    parts: [],
    omitted: [],
    totalTokens: context.totalTokens,
    redactions: context.redactions,
    notes: []
  };
}

module.exports = { ROOT, AcceptingQueue, notebookContext };
