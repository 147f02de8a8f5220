/** How log lines are written: `json` (one object per line), `pretty` (pino-pretty), or `auto`. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * `auto` is pretty only for a person at a terminal: the log stream (standard error) is a TTY, and this is neither a
 * test run nor CI, whose output is read by programs.
 */
export function isPretty(format: LogFormat, env: NodeJS.ProcessEnv = process.env, isTty = Boolean(process.stderr.isTTY)): boolean {
  if (format !== 'auto') return format === 'pretty';
  if (env.NODE_ENV === 'test' || env.JEST_WORKER_ID !== undefined) return false;
  if (env.CI && env.CI !== 'false' && env.CI !== '0') return false;
  return isTty;
}
