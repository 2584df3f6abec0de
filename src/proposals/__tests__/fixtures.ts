import * as fs from 'fs';
import * as path from 'path';
import type * as nbformat from '@jupyterlab/nbformat';
import { NotebookModel } from '@jupyterlab/notebook';

/**
 * A small analysis notebook as nbformat 4.5 JSON, with cell ids, outputs of several kinds,
 * execution counts and cell metadata, so that restoring it exactly means something.
 */
export function analysisNotebook(): nbformat.INotebookContent {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' },
      language_info: { name: 'python', version: '3.12.3' }
    },
    cells: [
      {
        id: 'intro',
        cell_type: 'markdown',
        metadata: {},
        source: '# Education spending and income\n\nDoes spending follow income?'
      },
      {
        id: 'load',
        cell_type: 'code',
        execution_count: 1,
        metadata: { tags: ['setup'], collapsed: false },
        outputs: [{ output_type: 'stream', name: 'stdout', text: 'loaded 217 rows\n' }],
        source: "import pandas as pd\nraw = pd.read_csv('data/education.csv')\nprint(f'loaded {len(raw)} rows')"
      },
      {
        id: 'summary',
        cell_type: 'code',
        execution_count: 2,
        metadata: { scrolled: true },
        outputs: [
          {
            output_type: 'execute_result',
            execution_count: 2,
            metadata: {},
            data: {
              'text/plain': ['       spend\n', 'count  217.0\n', 'mean     4.4'],
              'text/html': '<table><tr><td>217</td></tr></table>'
            }
          },
          {
            output_type: 'display_data',
            metadata: { 'image/png': { width: 640, height: 480 } },
            data: {
              'image/png':
                'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='
            }
          }
        ],
        source: 'raw.describe()'
      },
      {
        id: 'notes',
        cell_type: 'markdown',
        metadata: {},
        source: 'Spending rises with income, but the spread is wide.'
      },
      {
        id: 'plot',
        cell_type: 'code',
        execution_count: 3,
        metadata: {},
        outputs: [
          {
            output_type: 'error',
            ename: 'KeyError',
            evalue: "'gdp'",
            traceback: ["KeyError: 'gdp'"]
          }
        ],
        source: "raw.plot.scatter(x='gdp', y='spend')"
      }
    ]
  };
}

/**
 * A real JupyterLab notebook model loaded from nbformat JSON, with an empty undo history
 * (loading is itself an undoable change in the shared model).
 */
export function loadModel(
  content: nbformat.INotebookContent = analysisNotebook(),
  options: NotebookModel.IOptions = {}
): NotebookModel {
  const model = new NotebookModel(options);
  model.fromJSON(content);
  const undoManager = (model.sharedModel as unknown as { undoManager: { clear(): void } }).undoManager;
  undoManager.clear();
  return model;
}

/**
 * The example notebook shipped with the extension.
 */
export function exampleNotebook(): nbformat.INotebookContent {
  const file = path.join(__dirname, '..', '..', '..', 'examples', 'education_and_gdp.ipynb');
  return JSON.parse(fs.readFileSync(file, 'utf-8'));
}

/**
 * The notebook exactly as it would be saved.
 */
export function saved(model: NotebookModel): string {
  return JSON.stringify(model.toJSON(), null, 1);
}

export function ids(model: NotebookModel): string[] {
  return model.sharedModel.cells.map(c => c.id);
}
