import { readFileSync } from 'node:fs';
import { ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { MAX_CONCURRENT_PARSES, OpenapiLimits } from './limits';
import { Slots } from './slots';

export type ParseOutcome = { ok: true; json: string; format: 'json' | 'yaml' } | { ok: false; reason: string };

/** Plain JavaScript, run by a bare `node` as the child's main module (see the file's header). */
const PARSER_FILE = path.join(__dirname, 'parse-child.js');

/** Enough of the child's stderr to recognise V8's last words; the rest is dropped as it comes. */
const STDERR_TAIL_BYTES = 8 * 1024;

/** V8's message when a heap limit is reached ("… JavaScript heap out of memory", "Fatal process out of memory: …"). */
const OUT_OF_MEMORY = /out of memory/i;

const slots = new Slots(MAX_CONCURRENT_PARSES);

/** Parsers still running: killed if this process exits first, so none outlives it. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killRunningParsersOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

function budgetMb(limits: OpenapiLimits): number {
  return limits.parseHeapMb.old + limits.parseHeapMb.young + limits.parseHeapMb.stack;
}

/**
 * V8 flags that hold the child to the same budget a worker's `resourceLimits` did. The young generation is two
 * semi-spaces plus a new large-object space of the same size (V8 11), so a semi-space is a third of it, rounded
 * down (whole MiB only). The stack limit is V8's; the main thread's real stack (ulimit -s, 8 MiB by default) is larger.
 */
export function v8FlagsFor(limits: OpenapiLimits): string[] {
  const { old, young, stack } = limits.parseHeapMb;
  return [`--max-old-space-size=${old}`, `--max-semi-space-size=${Math.max(1, Math.floor(young / 3))}`, `--stack-size=${stack * 1024}`];
}

/**
 * Parses a tenant's OpenAPI document (JSON, else YAML) in a child process of its own, so that neither its CPU time,
 * its memory nor its garbage collection is this process's: a worker thread would share this process's V8 platform
 * threads and allocator, and an allocation-heavy parse slowed the serving thread's GC even with the parse thread
 * niced. The child's V8 heap and stack are capped by flags (running out kills the child, not this process), the whole
 * child runs at niceness 19, and it is SIGKILLed past `parseTimeoutMs`; inside it depth, value-count and size caps
 * stop most hostile documents long before either limit. Small JSON bodies are the exception: parsed here, with the
 * same code and caps (HERE_MAX_JSON_BYTES). Never throws: every failure is a reason.
 */
export function parseOpenapiInWorker(body: Buffer, limits: OpenapiLimits): Promise<ParseOutcome> {
  const small = parseSmallJsonHere(body, limits);
  if (small) return Promise.resolve(small);
  return slots.run(() => parseOnce(body, limits));
}

/**
 * A JSON body up to this size is parsed on the calling thread. Most OpenAPI documents are JSON of a few KiB: for them
 * a child process costs a Node.js start-up (~50 ms of CPU) and, at niceness 19 on a machine whose cores other work
 * keeps busy, can wait for a CPU for many seconds; a deploy's scrape then waits with it. Here the body's nesting is
 * measured on the text before JSON.parse (which is not recursive) and the shape checks walk at most that deep, so
 * 64 KiB costs a few milliseconds of this thread and a few hundred KiB of memory at the most: well inside the ~50 ms
 * a parse may take from the event loop. YAML (aliases, deep flow collections) and larger bodies always go to the child.
 */
export const HERE_MAX_JSON_BYTES = 64 * 1024;

type ChildAnswer = [{ ok: true; format: 'json' | 'yaml' } | { ok: false; reason: string }, string?];
// Plain JavaScript shared with the child (its main() runs only when it is the child's main module).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { answerJson } = require(PARSER_FILE) as { answerJson: (text: string, limits: OpenapiLimits) => ChildAnswer | undefined };

function parseSmallJsonHere(body: Buffer, limits: OpenapiLimits): ParseOutcome | undefined {
  if (body.length > HERE_MAX_JSON_BYTES) return undefined;
  const answered = answerJson(body.toString('utf8'), limits);
  if (!answered) return undefined;
  const [header, json] = answered;
  return header.ok ? { ok: true, format: header.format, json: json ?? '' } : { ok: false, reason: header.reason };
}

function parseOnce(body: Buffer, limits: OpenapiLimits): Promise<ParseOutcome> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [...v8FlagsFor(limits), PARSER_FILE, JSON.stringify(limits)], {
        // Nothing of this process's environment (NODE_OPTIONS included) is the parser's business.
        env: {},
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (err) {
      resolve({ ok: false, reason: `the parser could not start: ${(err as Error).message}` });
      return;
    }
    if (child.pid !== undefined) {
      try {
        // At once, before Node in the child starts its threads, so they inherit it (the child lowers them too).
        os.setPriority(child.pid, 19);
      } catch {
        // not allowed, or not a platform with niceness: it parses at normal priority
      }
      running.add(child);
      killRunningParsersOnExit();
    }

    // The limit is on the parser's CPU time, not on the clock: the child runs at niceness 19, so on a busy machine it
    // waits for the CPU, and a wall-clock limit would refuse a fine document only because others were busy. The
    // clock still bounds it (WALL_CLOCK_FACTOR times the limit), and it is the limit where CPU time cannot be read.
    let timedOut: string | undefined;
    const startedAt = Date.now();
    const stop = (reason: string) => {
      timedOut = reason;
      child.kill('SIGKILL');
    };
    const timer = setInterval(() => {
      const cpuMs = child.pid === undefined ? undefined : cpuTimeMs(child.pid);
      const wallMs = Date.now() - startedAt;
      if (cpuMs !== undefined && cpuMs > limits.parseTimeoutMs) stop(`parsing took more than ${limits.parseTimeoutMs} ms of CPU time`);
      else if (wallMs > limits.parseTimeoutMs * (cpuMs === undefined ? 1 : WALL_CLOCK_FACTOR)) stop(`parsing took longer than ${wallMs} ms`);
    }, Math.max(10, Math.min(50, limits.parseTimeoutMs / 4)));

    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    // The child may die before reading all of the body (out of memory, killed): its outcome comes from 'close'.
    child.stdin!.on('error', () => {});
    // Streamed as it is: no copy or serialisation of up to 5 MiB on this thread.
    child.stdin!.end(body);

    let spawnError: Error | undefined;
    child.once('error', (err) => {
      spawnError = err;
      // A process that never started may not report 'close'.
      if (child.pid === undefined) {
        clearInterval(timer);
        resolve({ ok: false, reason: `the parser could not start: ${err.message}` });
      }
    });
    // 'close': the process has exited and its stdout and stderr are read to the end.
    child.once('close', (code, signal) => {
      clearInterval(timer);
      running.delete(child);
      if (timedOut) return resolve({ ok: false, reason: timedOut });
      if (spawnError) return resolve({ ok: false, reason: `the parser could not start: ${spawnError.message}` });
      const answer = code === 0 ? readAnswer(Buffer.concat(stdout)) : undefined;
      if (answer) return resolve(answer);
      // V8 aborts the process when a heap limit is reached (SIGABRT), after saying so on stderr.
      if (OUT_OF_MEMORY.test(stderr)) return resolve({ ok: false, reason: `parsing needed more than its ${budgetMb(limits)} MiB memory budget` });
      resolve({ ok: false, reason: `the parser stopped (${signal ? `signal ${signal}` : `exit code ${code}`}) without an answer` });
    });
  });
}

/** How many times the CPU-time limit the clock may run before the parse is given up anyway. */
const WALL_CLOCK_FACTOR = 12;

/** CPU time (user + system) a process has used so far, from /proc; undefined where that cannot be read. */
function cpuTimeMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) in parentheses; utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * CLOCK_TICK_MS : undefined;
  } catch {
    return undefined;
  }
}

/** Linux reports CPU times in clock ticks of 1/100 s (USER_HZ) on every architecture Node runs on. */
const CLOCK_TICK_MS = 10;

/** The child's answer: a one-line JSON header, then the document's JSON text when it is stored. */
function readAnswer(out: Buffer): ParseOutcome | undefined {
  const newline = out.indexOf(0x0a);
  if (newline < 0) return undefined;
  let header: { ok?: unknown; format?: unknown; reason?: unknown };
  try {
    header = JSON.parse(out.toString('utf8', 0, newline));
  } catch {
    return undefined;
  }
  if (header.ok === true && (header.format === 'json' || header.format === 'yaml')) return { ok: true, format: header.format, json: out.toString('utf8', newline + 1) };
  if (header.ok === false && typeof header.reason === 'string') return { ok: false, reason: header.reason };
  return undefined;
}
