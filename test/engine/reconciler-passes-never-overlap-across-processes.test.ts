import IORedis from 'ioredis';
import { reconcileOnce, reconcilerLeaseKey } from '../../src/app/reconciler';
import { newId } from '../../src/ids';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';

describe('reconciler passes', () => {
  let h: EngineHarness;
  let other: IORedis;
  beforeAll(async () => {
    // No workers: the lost flows stay lost, so what the passes report is all they did.
    h = await startEngineHarness({ workers: false });
    other = new IORedis(h.redisUrl, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    other.disconnect();
    await h.close();
  });

  async function lostDeploys(count: number): Promise<string[]> {
    const { project, production } = await seedProject(h.db.prisma, { workspace: `ws-${newId('ws').slice(-6).toLowerCase()}`, project: 'shop' });
    const old = new Date(Date.now() - 60_000);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const deploymentId = newId('dep');
      const operationId = newId('op');
      await h.db.prisma.deployment.create({ data: { id: deploymentId, projectId: project.id, environmentId: production.id, image: HELLO_API, createdAt: old } });
      await h.db.prisma.operation.create({ data: { id: operationId, kind: 'deploy', projectId: project.id, deploymentId, requestedBy: 'test', createdAt: old } });
      ids.push(operationId);
    }
    return ids;
  }

  it('started at the same moment from two processes: one runs and heals each lost flow once, the other stands aside', async () => {
    const lost = await lostDeploys(20);
    // A second process's view of the same engine: its own Redis connection, same queues and keys.
    const secondProcess = { ...h.engine.deps, redis: other };
    const reports = await Promise.all([reconcileOnce(h.engine.deps), reconcileOnce(secondProcess)]);

    const ran = reports.filter((r) => !r.skipped);
    const stoodAside = reports.filter((r) => r.skipped);
    expect(ran).toHaveLength(1);
    expect(stoodAside).toHaveLength(1);
    expect(stoodAside[0].skipped).toMatch(/another reconciler pass is running/);
    expect(stoodAside[0].reenqueued).toEqual([]);
    expect([...ran[0].reenqueued].sort()).toEqual([...lost].sort());
    // The lease is given back: the next pass runs.
    expect(await h.redis.exists(reconcilerLeaseKey(h.prefix))).toBe(0);
    expect((await reconcileOnce(secondProcess)).skipped).toBeUndefined();
  });

  it('a pass whose process died holding the lease blocks the others only until the lease expires', async () => {
    // Long enough that the pass below surely starts before it lapses, on a loaded machine too (300 ms did not: a
    // pass delayed by more than that found the lease gone and ran).
    await h.redis.set(reconcilerLeaseKey(h.prefix), 'dead-process', 'PX', 3_000);
    expect((await reconcileOnce(h.engine.deps)).skipped).toMatch(/dead-process/);
    // Redis lets the lease lapse on its own (nobody deletes a dead process's lease); then the next pass runs.
    const deadline = Date.now() + 10_000;
    while ((await h.redis.exists(reconcilerLeaseKey(h.prefix))) === 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect((await reconcileOnce(h.engine.deps)).skipped).toBeUndefined();
  });
});
