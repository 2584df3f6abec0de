/*
 * The Python kernel inspector: the code sent to the kernel, and the request wrapper around it.
 *
 * The code itself is inspector.py beside this file (pytest runs the same file in a real kernel);
 * it is bundled as text, in a chunk of its own that loads with the first inspection.
 */
import type { IInspectionLimits, IKernelLanguageInspector, IVariableRequest } from './types';

/** The `__name__` under which the source runs its entry point. */
export const PYTHON_ENTRY_NAME = '__jupyterlab_claude_inspector__';

/**
 * Parameters in the form inspector.py reads them (its DEFAULTS).
 */
export function pythonParams(limits: IInspectionLimits, request?: IVariableRequest): Record<string, unknown> {
  const params: Record<string, unknown> = {
    mode: request ? 'detail' : 'list',
    max_variables: limits.maxVariables,
    max_rows: limits.maxRows,
    max_columns: limits.maxColumns,
    max_values: limits.maxValues,
    max_cell_chars: limits.maxCellChars,
    max_repr_chars: limits.maxReprChars,
    max_reply_bytes: limits.maxReplyBytes,
    budget_seconds: limits.budgetSeconds,
    per_variable_seconds: limits.perVariableSeconds,
    max_slice_rows: limits.maxSliceRows,
    max_detail_columns: limits.maxDetailColumns,
    max_unique_rows: limits.maxUniqueRows
  };
  if (request) {
    params.name = request.name;
    params.start = request.start ?? null;
    params.stop = request.stop ?? null;
    params.column = request.column ?? null;
    params.stats = request.stats ?? false;
  }
  return params;
}

/**
 * One line of Python that runs the inspector in a fresh dict, so no name lands in the user's
 * namespace. It looks up no name there either: the frame of an unstarted generator gives the
 * real builtins and the user's globals, so a user global named `__import__`, `exec` or
 * `globals` cannot break it (the lambda's `f` and the generator's `_` are their own locals).
 * JSON string literals are valid Python string literals for this ASCII source, and the
 * parameters travel as a JSON string the inspector decodes.
 */
export function buildPythonInspectorCode(source: string, params: Record<string, unknown>): string {
  return (
    `(lambda f: f.f_builtins["exec"](${JSON.stringify(source)}, ` +
    `{"__builtins__": f.f_builtins, "__name__": ${JSON.stringify(PYTHON_ENTRY_NAME)}, ` +
    `"_USER_NS": f.f_globals, "_PARAMS": ${JSON.stringify(JSON.stringify(params))}}))` +
    '((_ for _ in ()).gi_frame)'
  );
}

/**
 * The Python member of the per-language inspectors.
 */
export const pythonInspector: IKernelLanguageInspector = {
  language: 'python',
  listCode: async limits => buildPythonInspectorCode(await pythonInspectorSource(), pythonParams(limits)),
  variableCode: async (request, limits) =>
    buildPythonInspectorCode(await pythonInspectorSource(), pythonParams(limits, request))
};

/**
 * The text of inspector.py, loaded the first time a kernel is inspected (it is the largest
 * piece of text in the extension and nothing needs it at start-up). The path climbs to the
 * checkout's root so that it resolves the same from `src/kernel/` (jest, tsc) and from the
 * compiled `lib/kernel/` (the extension bundle).
 */
export function pythonInspectorSource(): Promise<string> {
  if (!Private.state.source) {
    Private.state.source = import(/* webpackChunkName: "kernel-inspector" */ '../../src/kernel/inspector.py').then(
      module => module.default
    );
    Private.state.source.catch(() => {
      Private.state.source = null;
    });
  }
  return Private.state.source;
}

namespace Private {
  export const state: { source: Promise<string> | null } = { source: null };
}
