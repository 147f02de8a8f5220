import type { Settings } from '../../src/app/settings';
import { startRedisCluster, RedisCluster } from '../support/redis-cluster';
import { DurabilityBed, startDurabilityBed } from './durability-bed';
import { inspectFinalState } from './final-state';

const SETTINGS: Partial<Settings> = { pollIntervalMs: 200, pollDeadlineMs: 60_000, backoffMs: 200, lockDurationMs: 3_000, stalledIntervalMs: 1_000 };
const PROJECTS = 5;
const DEPLOYS = 10;
// Longer than the lock of an active job (3 s) and the cluster's node timeout (2 s): the cluster marks the master
// failed (no replica takes over, so the whole cluster refuses its slots) and locks expire while it is away.
const OUTAGE_MS = 4_000;

/**
 * The Redis-restart durability test on a 3-master Redis Cluster: the master serving the queue prefix's slot (every
 * deployflow key, by the hash tag) is killed with SIGKILL while deploys run, and started again on its port with its
 * AOF and nodes.conf; the cluster clients of the engine and of two worker processes find it again.
 */
describe('the Redis Cluster master holding the queues killed with SIGKILL while deploys run, then restarted with its AOF', () => {
  let cluster: RedisCluster | undefined;
  let bed: DurabilityBed | undefined;
  beforeAll(async () => {
    cluster = await startRedisCluster();
    bed = await startDurabilityBed({ settings: SETTINGS, workers: 2, concurrency: 5, redisUrl: cluster.url });
  }, 120_000);
  afterAll(async () => {
    await bed?.close();
    await cluster?.stop();
  }, 120_000);

  it('loses no operation: every deploy ends ready, created once in Krane, and each live pointer has its routes', async () => {
    const b = bed!;
    const c = cluster!;
    const projects = await b.seedProjects(PROJECTS);
    const started: { deploymentId: string; operationId: string }[] = [];
    for (let i = 0; i < DEPLOYS; i++) {
      const env: Record<string, string> = i % 5 < 3 ? { HEALTHY_AFTER_MS: String(2_000 + 250 * i) } : {};
      started.push(await b.deploy(projects[i % PROJECTS], env));
    }
    const operationIds = started.map((s) => s.operationId);

    await b.waitUntilPolling(started.map((s) => s.deploymentId), 3);
    const master = await c.nodeOf(`${b.prefix}:operations:id`);
    const pidBefore = c.pids()[master];
    await c.killNode(master);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const restarting = Date.now();
    await c.startNode(master);
    const restartMs = Date.now() - restarting;
    expect(c.pids()[master]).not.toBe(pidBefore);

    const roots = await Promise.all(operationIds.map((id) => b.engine.deps.queues.operations.getJobState(id)));
    const rootsLost = roots.filter((s) => s === 'unknown').length;
    expect(rootsLost).toBe(0);

    const alone = await b.settle(operationIds, { timeoutMs: 60_000 });
    const healed = alone.settled ? alone : await b.settle(operationIds, { timeoutMs: 60_000, reconcileEveryMs: 3_000 });
    // Said before the assertion: once it fails, nothing after it runs, and where the jobs stopped is the whole story.
    if (healed.unfinished.length) console.log(`operations still unfinished after both waits:\n${await b.explainUnsucceeded(operationIds)}`);
    expect(healed.unfinished).toEqual([]);

    const explanation = await b.explainUnsucceeded(operationIds);
    if (explanation) console.log(`operations that did not succeed:\n${explanation}`);
    expect(explanation).toBe('');
    const state = await inspectFinalState(b, projects.map((p) => p.project.id));
    expect(state.violations).toEqual([]);
    expect(state.deployments).toEqual({ ready: DEPLOYS });
    expect(state.kraneCreations).toBe(DEPLOYS);

    console.log(
      `redis cluster master restart figures: ${JSON.stringify({
        deploys: DEPLOYS,
        killedMasterPort: c.ports[master],
        outageMs: OUTAGE_MS,
        restartUntilClusterOkMs: restartMs,
        rootJobsLostByAof: rootsLost,
        settledWithoutReconcilerMs: alone.settled ? alone.waitedMs : null,
        reconcilerHealed: b.reconcilerHealed,
        jobs: await b.jobHistory(operationIds),
        workerProcessesStarted: b.pool.stats.started,
        workerProcessesThatExitedOnTheirOwn: b.pool.stats.exitedOnTheirOwn.map((e) => ({ pid: e.pid, exitCode: e.exitCode, signal: e.signal, tail: e.output.slice(-600) })),
      })}`,
    );
  }, 300_000);
});
