import { openReleaseWorld, ReleaseWorld } from './release-fixture';

/**
 * A canary that answers 500 to half of its requests (hello-api FAIL_RATE) is rolled back by the judge on its own:
 * the stable takes all traffic back, the release ends aborted with the figures that tripped it, and the canary is
 * rolled_back. The time from its first bad answer (as the load saw it) to the rollback being served is measured
 * (goal: under 2 s with a 1 s judging window; the bound below is generous for a loaded machine).
 */
describe('a bad canary under steady load', () => {
  let world: ReleaseWorld;
  beforeAll(async () => {
    world = await openReleaseWorld();
  }, 90_000);
  afterAll(async () => {
    await world?.close();
  });

  it('is rolled back automatically, and the stable serves everything again within seconds of its first 500', async () => {
    await world.setPolicy({ stages: [{ weight: 50, durationSeconds: 120 }, { weight: 100 }], minRequests: 5, maxErrorRateIncreasePoints: 5, judgeWindowSeconds: 1 });
    // Each client is dealt its side at random (50 % the canary): with 10 clients none was dealt the canary, and nothing
    // judged it, in 0.1 % of runs (0.5^10); with 20, in 0.0001 %.
    const load = world.load(60, 20);
    const { deploymentId: v2 } = await world.deploy({ VERSION: '2', FAIL_RATE: '0.5' });
    const done = await world.waitForRelease(v2, (r) => r.state !== 'running', 30_000);
    await new Promise((r) => setTimeout(r, 1_000));
    await load.stop();

    expect(done.state).toBe('aborted');
    expect(done.tripped).toMatchObject({ rule: 'error-rate', canary: { errorRate: expect.any(Number) } });
    expect((done.tripped as { canary: { errorRate: number } }).canary.errorRate).toBeGreaterThan(0.05);
    const canary = await world.h.db.prisma.deployment.findUniqueOrThrow({ where: { id: v2 } });
    expect(canary.status).toBe('rolled_back');
    expect(canary.statusReason).toMatch(/5xx rate/);
    expect((await world.h.db.prisma.project.findUniqueOrThrow({ where: { id: world.projectId } })).liveDeploymentId).toBe(world.v1);

    const samples = load.samples;
    const firstBad = samples.find((s) => s.deploymentId === v2 && s.status >= 500);
    expect(firstBad).toBeDefined();
    const lastCanary = samples.filter((s) => s.deploymentId === v2).reduce((a, s) => Math.max(a, s.at), 0);
    const rollbackServed = samples.find((s) => s.at > lastCanary && s.deploymentId === world.v1);
    expect(rollbackServed).toBeDefined();
    const detectionMs = rollbackServed!.at - firstBad!.at;
    console.log(
      `bad canary (FAIL_RATE=0.5, 1 s window): first 500 at +0 ms, abort committed at +${done.endedAt!.getTime() - firstBad!.at} ms, ` +
        `rollback served (first stable answer after the canary's last) at +${detectionMs} ms; tripped: ${(done.tripped as { detail: string }).detail}`,
    );
    expect(detectionMs).toBeLessThan(10_000);
    // Nothing but the stable after that.
    expect(samples.filter((s) => s.at > rollbackServed!.at && s.deploymentId !== world.v1)).toEqual([]);
  }, 120_000);
});
