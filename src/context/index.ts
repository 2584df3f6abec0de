/*
 * What Claude sees of a notebook: outline, cells, outputs, errors and variables, budgeted in
 * tokens with secrets redacted. Pure functions on nbformat JSON; no DOM, no Claude calls.
 */
export * from './budget';
export * from './images';
export * from './notebook';
export * from './outputs';
export * from './redact';
export * from './table';
export * from './text';
export * from './traceback';
