import { Job } from 'bullmq';
import { Client } from 'pg';
import type { Settings } from '../../src/app/settings';
import { stepJobId } from '../../src/engine/queue-names';
import { DeployStep } from '../../flows/step-names';
import { DurabilityBed, SeededProject, startDurabilityBed, until } from './durability-bed';
import { inspectFinalState } from './final-state';

// maxStalledCount 1 (BullMQ's default; ours is higher) so the second kill does fail the step for good: what is pinned
// here is what happens then.
const SETTINGS: Partial<Settings> = { pollIntervalMs: 100, pollDeadlineMs: 30_000, backoffMs: 200, lockDurationMs: 2_000, stalledIntervalMs: 1_000, maxStalledCount: 1 };
const MAX_KILLS = 4;

/**
 * SPEC §8: SIGKILL of any worker process at any point. Here the point is `set-ready`, the step after `assign-routes`
 * committed the deploy's routes and made it live. To hit that point every time, the test holds a row lock on
 * set-ready's own timeline row, so the step blocks in its first write while active; the worker running it is then
 * SIGKILLed, its replacement picks the stalled job up, blocks the same way and is SIGKILLed too. With one stall allowed
 * the second fails the job for good, and the flow with it: the operation must then roll forward (the deployment is
 * live), never end `failed`.
 */
describe('a worker SIGKILLed twice while running a deploy step after its routes were committed', () => {
  let bed: DurabilityBed | undefined;
  let project: SeededProject;
  let deploy: { deploymentId: string; operationId: string };
  let lockHolder: Client | undefined;
  const figures: Record<string, unknown> = {};
  beforeAll(async () => {
    bed = await startDurabilityBed({ settings: SETTINGS, workers: 1, concurrency: 5 });
    [project] = await bed.seedProjects(1);
  }, 120_000);
  afterAll(async () => {
    console.log(`killed-after-routing figures: ${JSON.stringify(figures)}`);
    await lockHolder?.end().catch(() => undefined);
    await bed?.close();
  }, 120_000);

  const lockWaiters = async () =>
    Number((await bed!.db.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)[0].n);

  it('is killed while set-ready runs, after the routes and the live pointer were committed', async () => {
    const b = bed!;
    deploy = await b.deploy(project);
    lockHolder = new Client({ connectionString: b.services.databaseUrl });
    await lockHolder.connect();
    await lockHolder.query('BEGIN');
    const locked = await lockHolder.query(`SELECT id FROM "DeploymentStep" WHERE "ownerId" = $1 AND name = $2 FOR UPDATE`, [deploy.deploymentId, DeployStep.setReady]);
    expect(locked.rowCount).toBe(1);

    const setReadyJobId = stepJobId(deploy.operationId, DeployStep.setReady);
    const setReady = async () => (await Job.fromId(b.engine.deps.queues.steps, setReadyJobId))!;
    let kills = 0;
    for (; kills < MAX_KILLS; kills++) {
      // Active, picked up again after each earlier kill, and blocked behind the row lock (the killed workers' queries wait there too).
      await until(
        `set-ready active and blocked after ${kills} kill(s)`,
        async () => {
          const job = await Job.fromId(b.engine.deps.queues.steps, setReadyJobId);
          if (!job) return false;
          const state = await job.getState();
          if (state === 'failed' || state === 'completed') return true;
          return state === 'active' && job.stalledCounter === kills && (await lockWaiters()) >= kills + 1;
        },
        60_000,
      );
      const state = await (await setReady()).getState();
      if (state === 'failed' || state === 'completed') break;
      if (kills === 0) {
        const p = await b.db.prisma.project.findUniqueOrThrow({ where: { id: project.project.id } });
        const routes = await b.db.prisma.ingressRoute.count({ where: { deploymentId: deploy.deploymentId } });
        const d = await b.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploy.deploymentId } });
        expect({ live: p.liveDeploymentId, routed: routes > 0, status: d.status }).toEqual({ live: deploy.deploymentId, routed: true, status: 'network' });
      }
      await b.pool.killOne(0);
    }
    await until('set-ready stalled out or finished', async () => ['failed', 'completed'].includes(await (await setReady()).getState()), 30_000).catch(() => undefined);
    const job = await setReady();
    figures.kills = kills;
    figures.setReady = { state: await job.getState(), stalledCounter: job.stalledCounter, failedReason: job.failedReason };
    await lockHolder.query('COMMIT');
    await lockHolder.end();
    lockHolder = undefined;
    expect(kills).toBeGreaterThanOrEqual(1);
  }, 180_000);

  // The stalled-out step fails the flow after the route change committed: the failure must roll the operation forward
  // (deployment ready, operation succeeded), never move a routed, live deployment to `failed`.
  it('ends with the deployment ready (or at least never failed while live) and every invariant holding', async () => {
    const b = bed!;
    const settled = await b.settle([deploy.operationId], { timeoutMs: 60_000, reconcileEveryMs: 2_000 });
    expect(settled.unfinished).toEqual([]);
    const state = await inspectFinalState(b, [project.project.id]);
    const op = await b.db.prisma.operation.findUniqueOrThrow({ where: { id: deploy.operationId } });
    const d = await b.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploy.deploymentId } });
    figures.outcome = { operation: `${op.state} ${op.errorMessage ?? ''}`, deployment: `${d.status} ${d.statusReason ?? ''}`, compensated: !!d.compensatedAt, violations: state.violations, reconcilerHealed: b.reconcilerHealed };
    expect(state.violations).toEqual([]);
    expect(d.status).toBe('ready');
  }, 120_000);
});
