import type { Config } from '../src/config';
import type { AppContext } from '../src/context';
import type { Db } from '../src/db/prisma';
import type { Sql } from '../src/db/sql';
import { createDeployflowEngine, type DeployflowEngine } from '../src/app/deployflow-engine';
import type { Settings } from '../src/app/settings';
import { QueueName } from '../src/engine/queue-names';
import type { KraneClient } from '../src/krane/client';
import type { Caller } from '../src/operations/caller';
import type { Cleanup } from './cleanup';
import { CompletionWatch, WaitOptions } from './completion-watch';
import type { BenchWorkspace } from './seed';

/** The real control plane under test: engine with workers in this process, a Krane reached over gRPC, one workspace. */
export interface BenchEngine {
  prisma: Db;
  /** The same database past Prisma's runtime, as the API hands it to a deploy request. */
  sql: Sql;
  engine: DeployflowEngine;
  krane: { client: KraneClient };
  /** On the engine's `operations` worker: the root job completes right after the operation row became `succeeded`. */
  watch: CompletionWatch;
  workspace: BenchWorkspace;
  caller: Caller;
}

export const FLOW_TIMEOUT_MS = 120_000;

/**
 * An engine with its workers in this process under its own queue prefix (so one section's jobs never meet
 * another's), driving the given Krane. Registered with `cleanup`; `close` stops it earlier.
 */
export function openBenchEngine(
  ctx: AppContext,
  krane: KraneClient,
  workspace: BenchWorkspace,
  redisUrl: string,
  cleanup: Cleanup,
  overrides: Partial<Settings> = {},
): BenchEngine & { close(): Promise<void>; config: Config } {
  const engine = createDeployflowEngine(ctx, krane, overrides, redisUrl);
  const workers = engine.startWorkers({ concurrency: ctx.config.WORKER_CONCURRENCY });
  const watch = new CompletionWatch(workers.workers.find((w) => w.name === QueueName.operations)!);
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      watch.close();
      await engine.close();
    })());
  cleanup.add(`engine workers (${ctx.config.QUEUE_PREFIX})`, close);
  return { prisma: ctx.prisma, sql: ctx.db.sql, engine, krane: { client: krane }, watch, workspace, caller: { workspaceId: workspace.id, requestedBy: 'script:bench' }, close, config: ctx.config };
}

/** Ends a wait early when the operation finished without succeeding (its root job never completes then). */
export function untilOperationFails(prisma: Db, operationId: string): WaitOptions {
  return {
    timeoutMs: FLOW_TIMEOUT_MS,
    async failure() {
      const op = await prisma.operation.findUnique({ where: { id: operationId }, select: { state: true, errorCode: true, errorMessage: true } });
      if (op && op.state !== 'queued' && op.state !== 'running' && op.state !== 'succeeded') return `${op.state}: ${op.errorCode} ${op.errorMessage}`;
      return undefined;
    },
  };
}

export async function assertSucceeded(prisma: Db, operationId: string): Promise<void> {
  const op = await prisma.operation.findUniqueOrThrow({ where: { id: operationId } });
  if (op.state !== 'succeeded') throw new Error(`operation ${operationId} ended ${op.state}: ${op.errorCode} ${op.errorMessage}`);
}
