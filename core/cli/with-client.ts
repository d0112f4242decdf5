import type * as session from './session.ts';

/**
 * `withClient` of session.ts, loaded when a command runs: the session and the engine behind it
 * stay out of what `pustaka --help`, `--version` and argument errors load.
 */
export const withClient: typeof session.withClient = async (...args) => {
  const { withClient: open } = await import('./session.ts');
  return open(...args);
};
