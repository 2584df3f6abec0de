export * from './client';
export * from './conversation';
export * from './errors';
export * from './prompts';
export * from './registry';
export * from './settings';
export * from './models';
