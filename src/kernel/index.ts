/*
 * Kernel inspection: summaries of the live data in a notebook's kernel, per language.
 */
export { KernelInspector } from './inspector';
export { formatBytes, formatKernelSummary, formatVariableDetail, estimateTokens, shapeText } from './summary';
export { buildPythonInspectorCode, pythonInspector, pythonParams, pythonInspectorSource } from './python';
export { parseReplyText, toInspection, toVariableDetail, REPLY_PREFIX } from './reply';
export * from './types';
