import { Job } from 'bullmq';
import type { Settings } from '../../src/app/settings';
import { operationJobId } from '../../src/engine/queue-names';
import { DeployStep } from '../../flows/step-names';
import { DurabilityBed, SeededProject, startDurabilityBed, until } from './durability-bed';

const SETTINGS: Partial<Settings> = { pollIntervalMs: 100, pollDeadlineMs: 30_000, backoffMs: 200, lockDurationMs: 3_000, stalledIntervalMs: 1_000 };

/**
 * SPEC §8: PostgreSQL restarted mid-run, nothing lost. Here the restart falls between a deploy's last step and its
 * root job (completeOperation, which only records the outcome). To hit that point every time, the test pauses the
 * `operations` queue (BullMQ's own pause: steps keep running, root jobs wait), lets every step finish, stops
 * PostgreSQL, resumes the queue so the root job runs against the stopped database, then starts PostgreSQL again.
 */
describe('a deploy whose root job runs while PostgreSQL is down', () => {
  let bed: DurabilityBed | undefined;
  let project: SeededProject;
  let deploy: { deploymentId: string; operationId: string };
  const figures: Record<string, unknown> = {};
  beforeAll(async () => {
    bed = await startDurabilityBed({ settings: SETTINGS, workers: 1, concurrency: 5 });
    [project] = await bed.seedProjects(1);
  }, 120_000);
  afterAll(async () => {
    console.log(`root-job-meets-postgres-down figures: ${JSON.stringify(figures)}`);
    await bed?.engine.deps.queues.operations.resume().catch(() => undefined);
    await bed?.close();
  }, 120_000);

  it('finished every step (ready, routed, live) before its root job met the stopped database', async () => {
    const b = bed!;
    const { prisma } = b.db;
    const operations = b.engine.deps.queues.operations;
    await operations.pause();
    deploy = await b.deploy(project);
    await until(
      'every step of the deploy succeeded',
      async () => (await prisma.deploymentStep.findUniqueOrThrow({ where: { ownerId_name: { ownerId: deploy.deploymentId, name: DeployStep.updateLive } } })).status === 'succeeded',
      60_000,
    );
    const d = await prisma.deployment.findUniqueOrThrow({ where: { id: deploy.deploymentId } });
    const p = await prisma.project.findUniqueOrThrow({ where: { id: project.project.id } });
    expect({ status: d.status, live: p.liveDeploymentId }).toEqual({ status: 'ready', live: deploy.deploymentId });
    expect(await prisma.ingressRoute.count({ where: { deploymentId: deploy.deploymentId } })).toBeGreaterThan(0);
    expect((await prisma.operation.findUniqueOrThrow({ where: { id: deploy.operationId } })).state).toBe('running');

    await b.services.stopPostgres('fast');
    await operations.resume();
    // The root job ran and its database write failed (whether BullMQ then retries it or fails it is the product's call).
    await until('the root job met the stopped database', async () => !!(await Job.fromId(operations, operationJobId(deploy.operationId)))?.failedReason, 30_000);
    const root = (await Job.fromId(operations, operationJobId(deploy.operationId)))!;
    figures.rootAfterOutage = { state: await root.getState(), attemptsMade: root.attemptsMade, attempts: root.opts.attempts ?? 1, failedReason: root.failedReason?.split('\n').slice(-1)[0] };
    await b.services.startPostgres();
  }, 180_000);

  // The root job only records the outcome and has attempts of its own (src/engine/flow-job.ts): a database outage at
  // that moment must not end the operation `failed` (or compensate the deployment) when it is ready and live.
  it('still ends with the operation succeeded, and the live deployment is not compensated', async () => {
    const b = bed!;
    const settled = await b.settle([deploy.operationId], { timeoutMs: 60_000, reconcileEveryMs: 2_000 });
    expect(settled.unfinished).toEqual([]);
    const op = await b.db.prisma.operation.findUniqueOrThrow({ where: { id: deploy.operationId } });
    const d = await b.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploy.deploymentId } });
    figures.outcome = { operation: `${op.state} ${op.errorCode ?? ''} ${op.errorMessage ?? ''}`, deployment: d.status, reconcilerHealed: b.reconcilerHealed };
    expect(op.state).toBe('succeeded');
    expect(d.status).toBe('ready');
    await until('compensation had its chance to run', async () => (await b.engine.deps.queues.steps.getWaitingCount()) + (await b.engine.deps.queues.steps.getActiveCount()) === 0, 10_000);
    expect((await b.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploy.deploymentId } })).compensatedAt).toBeNull();
  }, 120_000);
});
