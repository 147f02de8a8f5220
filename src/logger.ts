import { isPretty, type LogFormat } from './logging/log-format';
import { adaptPino, createPino, lineDestination, stderrDestination } from './logging/pino-logger';

/**
 * Structured logs through pino; `step`, `deploymentId`, `operationId`, `requestId` fields tie a line to the timeline
 * and to the HTTP request that started it. JSON lines on standard error (pino-pretty at a terminal, see
 * logging/log-format.ts).
 */
export type { Logger, LogLevel } from './logging/log-types';
import type { Logger, LogLevel } from './logging/log-types';

export interface LoggerOutput {
  /** Default `auto`: pretty at a terminal, JSON otherwise (always JSON in tests and CI). */
  format?: LogFormat;
}

/**
 * A logger at `level` with `base` on every line. `output` is either where each JSON line goes (a function, for
 * tests and tools that collect lines; never pretty) or the format of standard-error output.
 */
export function createLogger(level: LogLevel = 'info', base: Record<string, unknown> = {}, output: ((line: string) => unknown) | LoggerOutput = {}): Logger {
  if (typeof output === 'function') return adaptPino(createPino({ level, base, pretty: false }, lineDestination(output)));
  const pretty = isPretty(output.format ?? 'auto');
  return adaptPino(createPino({ level, base, pretty }, stderrDestination(pretty)));
}

export const silentLogger: Logger = createLogger('silent', {}, () => undefined);
