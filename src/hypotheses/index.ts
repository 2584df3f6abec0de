/*
 * Hypotheses as first-class records: schema and validation, the test cell's result format,
 * status rules, multiple-testing corrections, the ledger and its storage in the notebook.
 */
export * from './actions';
export * from './correction';
export * from './ledger';
export * from './model';
export * from './record';
export * from './result';
export * from './status';
