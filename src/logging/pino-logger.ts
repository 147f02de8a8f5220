import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { Logger, LogLevel } from './log-types';

/**
 * The project's `Logger` (`info(msg, fields)`, `child(fields)`) as a thin adapter over pino, so the many call sites
 * written against that interface keep their shape while pino does the formatting, levels and output.
 */
export function adaptPino(p: PinoLogger): Logger {
  return {
    debug: (msg, fields) => p.debug(fields ?? {}, msg),
    info: (msg, fields) => p.info(fields ?? {}, msg),
    warn: (msg, fields) => p.warn(fields ?? {}, msg),
    error: (msg, fields) => p.error(fields ?? {}, msg),
    child: (fields) => adaptPino(p.child(fields)),
  };
}

export interface PinoOptions {
  level: LogLevel;
  base: Record<string, unknown>;
  /** Human-readable lines (pino-pretty) instead of JSON. */
  pretty: boolean;
}

/**
 * One JSON object per line: `time` (ISO 8601), `level` as its name, the base fields, the call's fields, `msg`.
 * Pretty output keeps pino's numeric levels, which pino-pretty colours.
 */
export function createPino(options: PinoOptions, destination: DestinationStream): PinoLogger {
  return pino(
    {
      level: options.level,
      base: options.base,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: options.pretty ? {} : { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** A pino destination that hands each line (without its newline) to `write`: for tests and callers that collect lines. */
export function lineDestination(write: (line: string) => unknown): DestinationStream {
  return { write: (chunk: string) => void write(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) };
}

/**
 * Standard error, written synchronously: a process that exits right after logging (a refused start, a forced
 * shutdown) still gets its last lines out. Pretty output is pino-pretty's stream in this thread (not a transport
 * worker), for the same reason; it is loaded only when asked for.
 */
export function stderrDestination(pretty: boolean): DestinationStream {
  if (!pretty) return pino.destination({ dest: 2, sync: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pinoPretty = require('pino-pretty') as typeof import('pino-pretty');
  return pinoPretty.build({ destination: 2, sync: true, colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
}
