import { spawn } from 'node:child_process';
import path from 'node:path';
import { DEFAULT_OPENAPI_LIMITS, OpenapiLimits } from '../../src/openapi/limits';
import { parseOpenapiInWorker } from '../../src/openapi/parse-in-child-process';
import { bigYaml, hasEnded, nicenessOf, parserProcessesOf } from './support/parser-processes';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** A document that takes seconds to parse when it is given the memory: ~13 MB of YAML. */
const SLOW = Buffer.from(bigYaml(40_000));
const ROOMY: Partial<OpenapiLimits> = { parseHeapMb: { old: 512, young: 8, stack: 4 } };

/** Starts a parse and returns the one parser process it started (the spawn happens before the call returns). */
function startParse(body: Buffer, limits: Partial<OpenapiLimits>) {
  const before = new Set(parserProcessesOf(process.pid));
  const outcome = parseOpenapiInWorker(body, { ...DEFAULT_OPENAPI_LIMITS, ...limits });
  const started = parserProcessesOf(process.pid).filter((pid) => !before.has(pid));
  expect(started).toHaveLength(1);
  return { pid: started[0], outcome };
}

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

describe('the OpenAPI parser runs as a child process that never outlives its parse', () => {
  it('runs at niceness 19, and is SIGKILLed, not left running, when it passes its CPU-time limit', async () => {
    const { pid, outcome } = startParse(SLOW, { ...ROOMY, parseTimeoutMs: 500 });
    expect(nicenessOf(pid)).toBe(19);
    expect(hasEnded(pid)).toBe(false);
    // Killed on its CPU time, or, when a busy machine gives the niced parser almost no CPU, on the clock (12x the limit).
    expect(await outcome).toEqual({ ok: false, reason: expect.stringMatching(/^parsing took (more than 500 ms of CPU time|longer than \d+ ms)$/) });
    // The outcome comes once the process has exited and been reaped.
    expect(hasEnded(pid)).toBe(true);
  });

  it('ends with the process when it runs out of its memory budget', async () => {
    const { pid, outcome } = startParse(Buffer.from(bigYaml(6_000)), { parseHeapMb: { old: 12, young: 2, stack: 2 } });
    expect(await outcome).toEqual({ ok: false, reason: 'parsing needed more than its 16 MiB memory budget' });
    expect(hasEnded(pid)).toBe(true);
  });

  it('is killed when the process that started it exits mid-parse', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'support', 'parse-then-exit.ts')], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    parent.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    parent.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => parent.once('close', resolve));
    expect({ code, output }).toMatchObject({ code: 0, output: expect.stringMatching(/^\d+\n$/) });
    const pid = Number(output.trim());
    // SIGKILLed in the parent's last moment: gone as soon as the kernel runs it once more. Left running, it would
    // parse for seconds yet (13 MB of YAML at niceness 19).
    const ended = await waitUntil(() => hasEnded(pid), 2_000);
    if (!ended) process.kill(pid, 'SIGKILL');
    expect(ended).toBe(true);
  });
});
