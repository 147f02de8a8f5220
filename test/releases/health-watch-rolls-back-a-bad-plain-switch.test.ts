import { openReleaseWorld, ReleaseWorld } from './release-fixture';

/**
 * A policy of one stage of 100 switches production deploys at once; with `healthWatchSeconds` the new live deployment
 * is then watched against the one it replaced (its figures just before the switch) and rolled back, through an
 * ordinary rollback operation, when it trips a threshold. A healthy one is left live when the watch ends.
 */
describe('the health watch after a plain switch', () => {
  let world: ReleaseWorld;
  beforeAll(async () => {
    world = await openReleaseWorld();
  }, 90_000);
  afterAll(async () => {
    await world?.close();
  });

  const project = () => world.h.db.prisma.project.findUniqueOrThrow({ where: { id: world.projectId } });

  it('leaves a healthy deploy live once the watch is over', async () => {
    await world.setPolicy({ stages: [{ weight: 100 }], healthWatchSeconds: 3, minRequests: 5, minP95IncreaseMs: 500 });
    const load = world.load(40, 5);
    await new Promise((r) => setTimeout(r, 1_500));
    const { deploymentId: v2, operationId } = await world.deploy({ VERSION: '2' });
    expect((await project()).liveDeploymentId).toBe(v2);
    const watch = await world.h.db.prisma.operation.findFirstOrThrow({ where: { kind: 'health_watch', deploymentId: v2 } });
    expect(watch).toMatchObject({ sourceDeploymentId: world.v1, healthWatchSeconds: 3 });
    expect(watch.idempotencyKey).toBe(`health-watch:${operationId}`);
    expect((await world.h.waitForOperation(watch.id, 20_000)).state).toBe('succeeded');
    await load.stop();
    expect((await world.h.db.prisma.operation.findUniqueOrThrow({ where: { id: watch.id } })).result).toMatchObject({ kind: 'health_watch' });
    expect(await project()).toMatchObject({ liveDeploymentId: v2, isRolledBack: false });
    world.v1 = v2; // the stable one for the next test
  }, 120_000);

  it('rolls a bad deploy back to the one it replaced, with the figures as the reason', async () => {
    const previous = world.v1;
    await world.setPolicy({ stages: [{ weight: 100 }], healthWatchSeconds: 60, minRequests: 5, maxErrorRateIncreasePoints: 5 });
    const load = world.load(60, 10);
    await new Promise((r) => setTimeout(r, 2_000));
    const { deploymentId: bad } = await world.deploy({ VERSION: '3', FAIL_RATE: '0.5' });
    const watch = await world.h.db.prisma.operation.findFirstOrThrow({ where: { kind: 'health_watch', deploymentId: bad } });
    expect((await world.h.waitForOperation(watch.id, 30_000)).state).toBe('succeeded');
    const rollback = await world.h.db.prisma.operation.findFirstOrThrow({ where: { kind: 'rollback', idempotencyKey: { contains: `health-watch:${watch.id}` } } });
    expect((await world.h.waitForOperation(rollback.id, 30_000)).state).toBe('succeeded');
    await new Promise((r) => setTimeout(r, 500));
    await load.stop();
    const after = await project();
    expect(after).toMatchObject({ liveDeploymentId: previous, isRolledBack: true, rolledBackFromDeploymentId: bad });
    expect(after.rollbackReason).toMatch(/health watch: canary 5xx rate/);
    const samples = load.samples;
    const firstBad = samples.find((s) => s.deploymentId === bad && s.status >= 500)!;
    const lastBad = samples.filter((s) => s.deploymentId === bad).reduce((a, s) => Math.max(a, s.at), 0);
    const served = samples.find((s) => s.at > lastBad && s.deploymentId === previous)!;
    console.log(`health watch: first 500 of the new live deployment -> the previous one serves again in ${served.at - firstBad.at} ms; reason: ${after.rollbackReason}`);
    expect(served.at - firstBad.at).toBeLessThan(10_000);
  }, 120_000);
});
