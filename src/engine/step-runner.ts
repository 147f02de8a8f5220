import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { isRetryable } from '../errors';
import { isInfrastructureOutage } from './infrastructure-outage';
import type { EngineDeps } from './engine-deps';
import { handleFinalFailure } from './final-failure';
import type { StepJobData, StepResult } from './job-data';
import { markOperationRunning } from './operation-state';
import { CancelledError } from './step-errors';
import type { StepModule, StepRun } from './step-module';
import { stepRecords } from './step-records';

/** Merges the accumulated outputs that the child step returned (keys are `bull:<queue>:<id>`, prefix included). */
async function previousOutputs(job: Job): Promise<Record<string, unknown>> {
  const values = (await job.getChildrenValues()) as Record<string, StepResult | undefined>;
  const merged: Record<string, unknown> = {};
  for (const value of Object.values(values)) Object.assign(merged, value?.outputs ?? {});
  return merged;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs one step job: keeps its DeploymentStep row current, stops a cancelled deploy, passes polling through,
 * and on a final failure resolves the whole operation before BullMQ fails the job (and with it the flow).
 */
export async function runStep(deps: EngineDeps, module: StepModule, job: Job<StepJobData>, token: string): Promise<StepResult> {
  const data = job.data;
  const logger = deps.logger.child({ step: module.name, operationId: data.operationId, deploymentId: data.deploymentId, jobId: job.id });
  const attempt = job.attemptsMade + 1;
  const maxAttempts = job.opts.attempts ?? 1;
  const { prisma } = deps;

  const assertNotCancelled = async () => {
    if (data.kind !== 'deploy' || !data.deploymentId) return;
    const row = await prisma.deployment.findUnique({ where: { id: data.deploymentId }, select: { cancelRequestedAt: true } });
    if (row?.cancelRequestedAt) throw new CancelledError(data.deploymentId);
  };

  const run: StepRun = {
    deps,
    job,
    token,
    data,
    outputs: {},
    logger,
    progress: (text) => stepRecords.progress(deps, data.ownerId, module.name, text),
    async delay(ms, patch = {}) {
      await job.updateData({ ...job.data, ...patch, delays: (job.data.delays ?? 0) + 1 });
      await job.moveToDelayed(Date.now() + ms, token);
      throw new DelayedError();
    },
    assertNotCancelled,
  };

  try {
    run.outputs = await previousOutputs(job);
    // First run, or a run after an outage (which may have kept the first from being recorded): both idempotent.
    if (!data.delays || data.outageSince) {
      await stepRecords.running(deps, { ownerId: data.ownerId, operationId: data.operationId, name: module.name, position: data.position, attempts: attempt });
      // The first step starts the operation; a later step only needs it after a crash re-ran the flow mid-way.
      if (data.position === 0 || attempt > 1 || data.outageSince) await markOperationRunning(deps, data.operationId);
      logger.info('step started', { attempt });
    }
    if (module.cancellable) await assertNotCancelled();
    const output = await module.run(run);
    const summary = module.summarize ? module.summarize(output) : undefined;
    await stepRecords.succeeded(deps, data.ownerId, module.name, summary);
    logger.info('step succeeded', { summary });
    return { outputs: { ...run.outputs, [module.name]: output ?? null } };
  } catch (err) {
    if (err instanceof DelayedError) throw err;
    if (isInfrastructureOutage(err)) {
      const since = data.outageSince ?? Date.now();
      if (Date.now() - since < deps.settings.outageToleranceMs) {
        logger.warn('database unreachable: waiting it out without spending an attempt', { error: describe(err) });
        await run.delay(Math.min(5_000, deps.settings.backoffMs * 2), { outageSince: since });
      }
    }
    const final = !isRetryable(err) || err instanceof UnrecoverableError || attempt >= maxAttempts;
    const message = describe(err);
    await stepRecords.failed(deps, data.ownerId, module.name, message, final, err instanceof CancelledError ? 'cancelled' : 'failed');
    if (!final) {
      logger.warn('step attempt failed, will retry', { attempt, maxAttempts, error: message });
      throw err;
    }
    logger.warn('step failed', { attempt, error: message });
    await handleFinalFailure(deps, data, module.name, err);
    throw new UnrecoverableError(`${module.name}: ${message}`);
  }
}
