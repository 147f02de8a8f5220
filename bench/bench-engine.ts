import type { Db } from '../src/db/prisma';
import type { DeployflowEngine } from '../src/app/deployflow-engine';
import type { EmbeddedKrane } from '../src/krane/embedded';
import type { Caller } from '../src/operations/caller';
import type { CompletionWatch, WaitOptions } from './completion-watch';
import type { BenchWorkspace } from './seed';

/** The real control plane under test: engine with workers in this process, embedded Krane, one workspace. */
export interface BenchEngine {
  prisma: Db;
  engine: DeployflowEngine;
  krane: EmbeddedKrane;
  /** On the engine's `operations` worker: the root job completes right after the operation row became `succeeded`. */
  watch: CompletionWatch;
  workspace: BenchWorkspace;
  caller: Caller;
}

export const FLOW_TIMEOUT_MS = 120_000;

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
