import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { MAX_CONCURRENT_PARSES, OpenapiLimits } from './limits';
import { Slots } from './slots';

export type ParseOutcome = { ok: true; json: string; format: 'json' | 'yaml' } | { ok: false; reason: string };

/** Plain JavaScript, loaded by the worker thread as it is (see the file's header). */
const WORKER_FILE = path.join(__dirname, 'parse-worker.js');

const slots = new Slots(MAX_CONCURRENT_PARSES);

function budgetMb(limits: OpenapiLimits): number {
  return limits.parseHeapMb.old + limits.parseHeapMb.young + limits.parseHeapMb.stack;
}

/**
 * Parses a tenant's OpenAPI document (JSON, else YAML) in a worker thread of its own, so that neither its CPU time
 * nor its memory is this process's: the thread's V8 heap and stack are capped by `resourceLimits` (running out
 * ends the thread, not the process), it is terminated past `parseTimeoutMs`, and inside it depth, value-count and
 * size caps stop most hostile documents long before either limit. Never throws: every failure is a reason.
 */
export function parseOpenapiInWorker(body: Buffer, limits: OpenapiLimits): Promise<ParseOutcome> {
  return slots.run(() => parseOnce(body, limits));
}

function parseOnce(body: Buffer, limits: OpenapiLimits): Promise<ParseOutcome> {
  // A copy the worker can own: transferring it costs nothing and leaves no 5 MiB string on this thread's heap.
  const copy = new Uint8Array(body.length);
  copy.set(body);
  return new Promise((resolve) => {
    let settled = false;
    let worker: Worker;
    const finish = (outcome: ParseOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
      void worker.terminate();
    };
    try {
      worker = new Worker(WORKER_FILE, {
        workerData: { openapiParse: true, body: copy.buffer, limits },
        transferList: [copy.buffer],
        resourceLimits: { maxOldGenerationSizeMb: limits.parseHeapMb.old, maxYoungGenerationSizeMb: limits.parseHeapMb.young, stackSizeMb: limits.parseHeapMb.stack },
        // Nothing of this process's environment is the parser's business.
        env: {},
      });
    } catch (err) {
      resolve({ ok: false, reason: `the parser could not start: ${(err as Error).message}` });
      return;
    }
    const timer = setTimeout(() => finish({ ok: false, reason: `parsing took longer than ${limits.parseTimeoutMs} ms` }), limits.parseTimeoutMs);
    worker.once('message', (message: ParseOutcome) => finish(message));
    worker.once('error', (err: Error & { code?: string }) =>
      finish({
        ok: false,
        reason: err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `parsing needed more than its ${budgetMb(limits)} MiB memory budget` : `the parser failed: ${err.message}`,
      }),
    );
    worker.once('exit', (code) => finish({ ok: false, reason: `the parser stopped (exit code ${code}) without an answer` }));
  });
}
