import { startWorkerProcess } from '../support/worker-process';
import { TEST_ENGINE_SETTINGS } from '../support/engine-harness';
import { openReleaseWorld, ReleaseWorld } from './release-fixture';

// Short locks, so a killed worker's active job is found stalled and run again within seconds.
const SETTINGS = { ...TEST_ENGINE_SETTINGS, lockDurationMs: 3_000, stalledIntervalMs: 1_000 };

/**
 * The release runs on worker processes (`npm run worker`); the one running it is SIGKILLed during the first stage and
 * another takes over. The release still goes through each stage once, in order, with one weight change operation
 * and one route change per stage, and completes with the canary live: the kill changes nothing but timing.
 */
describe('a worker process killed with SIGKILL during a release', () => {
  let world: ReleaseWorld;
  let first: ReturnType<typeof startWorkerProcess>;
  let second: ReturnType<typeof startWorkerProcess> | undefined;
  beforeAll(async () => {
    world = await openReleaseWorld({ workers: false, settings: SETTINGS, beforeDeploy: (h) => {
      first = startWorkerProcess({ redisUrl: h.redisUrl, databaseUrl: h.db.url, kraneUrl: h.krane.url, kraneToken: h.krane.token, prefix: h.prefix, settings: SETTINGS });
    } });
  }, 120_000);
  afterAll(async () => {
    await first?.kill();
    await second?.stop();
    await world?.close();
  });

  it('goes through every stage once and completes', async () => {
    await world.setPolicy({ stages: [{ weight: 30, durationSeconds: 4 }, { weight: 60, durationSeconds: 3 }, { weight: 100 }], minRequests: 5, minP95IncreaseMs: 500 });
    const load = world.load(30, 8);
    const { deploymentId: v2 } = await world.deploy({ VERSION: '2' });
    const release = await world.waitForRelease(v2, (r) => r.state === 'running', 10_000);
    // The judge has judged a few times (its job is delayed or active on the first worker): kill that worker now.
    await new Promise((r) => setTimeout(r, 1_500));
    const killedAt = Date.now();
    await first.kill();
    expect(first.running).toBe(false);
    second = startWorkerProcess({ redisUrl: world.h.redisUrl, databaseUrl: world.h.db.url, kraneUrl: world.h.krane.url, kraneToken: world.h.krane.token, prefix: world.h.prefix, settings: SETTINGS });

    const done = await world.waitForRelease(v2, (r) => r.state !== 'running', 90_000);
    await load.stop();
    expect(done.state).toBe('completed');
    expect((done.stages as Array<{ weight: number }>).map((s) => s.weight)).toEqual([30, 60]);
    // The judge ends with the release, at its next look.
    expect((await world.h.waitForOperation(release.operationId, 30_000)).state).toBe('succeeded');
    const ops = await world.h.db.prisma.operation.findMany({ where: { releaseId: release.id }, orderBy: { createdAt: 'asc' } });
    expect(ops.map((o) => [o.kind, o.canaryWeight, o.state])).toEqual([
      ['release', null, 'succeeded'],
      ['canary_weight', 60, 'succeeded'],
      ['canary_weight', 100, 'succeeded'],
    ]);
    const changes = await world.h.db.prisma.routeChange.count({ where: { operationId: { in: ops.map((o) => o.id) } } });
    expect(changes).toBe(2);
    expect((await world.h.db.prisma.project.findUniqueOrThrow({ where: { id: world.projectId } })).liveDeploymentId).toBe(v2);
    // The gateway is not in the killed process: every request was answered.
    expect(load.samples.filter((s) => s.status !== 200)).toEqual([]);
    console.log(`release with a worker SIGKILLed ${killedAt - release.createdAt.getTime()} ms into it: completed after ${done.endedAt!.getTime() - release.createdAt.getTime()} ms (policy: 4 s + 3 s of stages)`);
  }, 180_000);
});
