/*
 * Every public interface of jupyterlab-claude, re-exported from the tokens file of its
 * capability (kept so older imports keep working).
 */
export * from './claude/tokens';
export * from './context/tokens';
export * from './proposals/tokens';
export * from './hypotheses/tokens';
export * from './agent/tokens';
export * from './session/tokens';
export * from './skills/tokens';
export * from './mcp/tokens';
export * from './panel/tokens';
export * from './usage/tokens';
