import { Job } from 'bullmq';
import type { Settings } from '../../src/app/settings';
import { stepJobId } from '../../src/engine/queue-names';
import { DeployStep } from '../../flows/step-names';
import { DurabilityBed, startDurabilityBed, until } from './durability-bed';
import { inspectFinalState } from './final-state';

// A short outage tolerance (1 s waited out without spending attempts) and a small retry budget after it (3 attempts,
// backoff 200 ms then 400 ms), so an outage of a few seconds outlasts both.
const SETTINGS: Partial<Settings> = {
  pollIntervalMs: 100,
  pollDeadlineMs: 60_000,
  stepAttempts: 3,
  backoffMs: 200,
  lockDurationMs: 3_000,
  stalledIntervalMs: 1_000,
  outageToleranceMs: 1_000,
};
const DEPLOYS = 3;

/**
 * The backstop of ARCHITECTURE §4 and §10: a step that outlasts its outage tolerance and then its attempts while
 * PostgreSQL is down cannot write the
 * failure (the writes need the database), so BullMQ fails the flow while the operation row still says `running`. Once
 * the database is back, the reconciler must resolve it: operation failed, deployment failed, compensated.
 */
describe('PostgreSQL down for longer than a step retries', () => {
  let bed: DurabilityBed | undefined;
  beforeAll(async () => {
    bed = await startDurabilityBed({ settings: SETTINGS, workers: 1, concurrency: 5 });
  }, 120_000);
  afterAll(async () => {
    await bed?.close();
  }, 120_000);

  it('leaves no operation running and no deployment uncompensated once the reconciler ran', async () => {
    const b = bed!;
    const { prisma } = b.db;
    const projects = await b.seedProjects(DEPLOYS);
    const deploys: { deploymentId: string; operationId: string }[] = [];
    for (const p of projects) deploys.push(await b.deploy(p, { HEALTHY_AFTER_MS: '60000' }));
    await b.waitUntilPolling(deploys.map((d) => d.deploymentId), DEPLOYS);

    const down = Date.now();
    await b.services.stopPostgres('crash');
    // Down until every poll has spent its attempts and BullMQ failed it (Redis still answers).
    await until(
      'every poll failed for good',
      async () => {
        const states = await Promise.all(deploys.map(async (d) => (await Job.fromId(b.engine.deps.queues.steps, stepJobId(d.operationId, DeployStep.pollInstances)))?.getState()));
        return states.every((s) => s === 'failed');
      },
      30_000,
    );
    await b.services.startPostgres();
    const outageMs = Date.now() - down;
    // The failure could not be recorded: the operations still say running.
    expect(await prisma.operation.count({ where: { id: { in: deploys.map((d) => d.operationId) }, state: 'running' } })).toBe(DEPLOYS);

    const settled = await b.settle(deploys.map((d) => d.operationId), { timeoutMs: 60_000, reconcileEveryMs: 2_000 });
    expect(settled.unfinished).toEqual([]);
    await until(
      'every failed deploy compensated',
      async () => {
        await b.reconcile();
        return (await prisma.deployment.count({ where: { id: { in: deploys.map((d) => d.deploymentId) }, compensatedAt: null } })) === 0;
      },
      60_000,
      1_000,
    );

    const ops = await prisma.operation.findMany({ where: { id: { in: deploys.map((d) => d.operationId) } } });
    expect(ops.map((o) => o.state)).toEqual(deploys.map(() => 'failed'));
    const state = await inspectFinalState(b, projects.map((p) => p.project.id));
    expect(state.violations).toEqual([]);
    expect(state.deployments).toEqual({ failed: DEPLOYS });
    for (const [n, d] of deploys.entries()) expect(await b.krane.knows(projects[n].workspace.slug, d.deploymentId)).toBe(false);
    console.log(
      `past-the-retry-budget figures: ${JSON.stringify({ deploys: DEPLOYS, outageMs, reconcilerHealed: b.reconcilerHealed, errors: ops.map((o) => o.errorMessage?.split('\n')[0]), kraneDeletes: b.krane.calls.delete })}`,
    );
  }, 240_000);
});
