import { openReleaseWorld, ReleaseWorld, sidesPerClient } from './release-fixture';

/**
 * Under steady traffic through the gateway, a healthy canary goes through every stage of an automatic policy on its
 * own and becomes live; while the release runs, each client stays on the side it first got (the sticky cookie), and
 * the canary serves roughly its weight of the clients.
 */
describe('a good canary under steady load', () => {
  let world: ReleaseWorld;
  beforeAll(async () => {
    world = await openReleaseWorld();
  }, 90_000);
  afterAll(async () => {
    await world?.close();
  });

  it('advances through every stage, becomes live, and every client keeps its side during the release', async () => {
    // Latency is not what this test judges: a fresh instance's first answers can be slower than a warm one's.
    await world.setPolicy({ stages: [{ weight: 30, durationSeconds: 3 }, { weight: 60, durationSeconds: 3 }, { weight: 100 }], minRequests: 5, minP95IncreaseMs: 500 });
    // Each client is dealt its side at random (30 % the canary): with 10 clients none was dealt the canary in 2.8 % of
    // runs (0.7^10), and the check below failed by chance; with 40, in 0.00006 % (0.7^40).
    const load = world.load(40, 40);
    await new Promise((r) => setTimeout(r, 1_000));
    const { deploymentId: v2 } = await world.deploy({ VERSION: '2' });
    const started = await world.releaseOf(v2);
    expect(started).toMatchObject({ state: 'running', stableDeploymentId: world.v1, stageIndex: 0, weight: 30 });
    expect((await world.h.db.prisma.project.findUniqueOrThrow({ where: { id: world.projectId } })).liveDeploymentId).toBe(world.v1);

    const done = await world.waitForRelease(v2, (r) => r.state !== 'running', 60_000);
    expect(done.state).toBe('completed');
    expect(done.weight).toBe(100);
    expect((done.stages as Array<{ weight: number }>).map((s) => s.weight)).toEqual([30, 60]);
    expect((await world.h.db.prisma.project.findUniqueOrThrow({ where: { id: world.projectId } })).liveDeploymentId).toBe(v2);
    // Two weight changes (30 -> 60, 60 -> 100), each an operation of its own with one route change.
    let weightOps = await world.h.db.prisma.operation.findMany({ where: { releaseId: done.id, kind: 'canary_weight' } });
    // The last one's root job records its success just after the release row committed.
    for (const op of weightOps) await world.h.waitForOperation(op.id, 20_000);
    weightOps = await world.h.db.prisma.operation.findMany({ where: { releaseId: done.id, kind: 'canary_weight' } });
    expect(weightOps.map((o) => [o.canaryWeight, o.state]).sort()).toEqual([
      [100, 'succeeded'],
      [60, 'succeeded'],
    ]);

    await new Promise((r) => setTimeout(r, 1_000));
    await load.stop();
    const samples = load.samples;
    expect(samples.filter((s) => s.status !== 200)).toEqual([]);
    const endedAt = done.endedAt!.getTime();
    // After completion: only the canary answers requests sent from then on (300 ms for every gateway process to apply
    // the change; a request sent before it may still be answered by the stable, later, on a loaded machine).
    expect(new Set(samples.filter((s) => s.sentAt > endedAt + 300).map((s) => s.deploymentId))).toEqual(new Set([v2]));
    // During the release (from its first stage served until it completed), no client ever changes sides.
    const from = started.createdAt.getTime() + 500;
    const sides = sidesPerClient(samples, from, endedAt);
    const flips = [...sides.entries()].filter(([, seen]) => seen.length > 1);
    expect(flips).toEqual([]);
    const onCanary = [...sides.values()].filter((seen) => seen[0] === v2).length;
    const served = samples.filter((s) => s.at >= from && s.at <= endedAt);
    const canaryShare = served.filter((s) => s.deploymentId === v2).length / served.length;
    console.log(
      `good canary: stages ${JSON.stringify((done.stages as Array<{ weight: number }>).map((s) => s.weight))} -> live in ${endedAt - started.createdAt.getTime()} ms; ` +
        `${onCanary}/${sides.size} clients on the canary during the release, ${(canaryShare * 100).toFixed(1)}% of its ${served.length} answers (first stage 30%, new clients only)`,
    );
    expect(onCanary).toBeGreaterThan(0);
  }, 120_000);
});
