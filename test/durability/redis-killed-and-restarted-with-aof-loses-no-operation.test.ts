import type { Settings } from '../../src/app/settings';
import { DurabilityBed, startDurabilityBed } from './durability-bed';
import { inspectFinalState } from './final-state';

const SETTINGS: Partial<Settings> = { pollIntervalMs: 200, pollDeadlineMs: 60_000, backoffMs: 200, lockDurationMs: 3_000, stalledIntervalMs: 1_000 };
const PROJECTS = 5;
const DEPLOYS = 10;
// Longer than the lock of an active job (3 s): locks expire while Redis is away, so jobs stall and run again elsewhere.
const OUTAGE_MS = 4_000;

describe('redis-server killed with SIGKILL while deploys run, then restarted on the same port and AOF', () => {
  let bed: DurabilityBed | undefined;
  beforeAll(async () => {
    bed = await startDurabilityBed({ settings: SETTINGS, workers: 2, concurrency: 5 });
  }, 120_000);
  afterAll(async () => {
    await bed?.close();
  }, 120_000);

  it('loses no operation: every deploy ends ready, created once in Krane, and each live pointer has its routes', async () => {
    const b = bed!;
    const { prisma } = b.db;
    const projects = await b.seedProjects(PROJECTS);
    const started: { deploymentId: string; operationId: string }[] = [];
    for (let i = 0; i < DEPLOYS; i++) {
      // Most deploys start slowly (healthy after 2–4 s), so they are mid-poll when Redis dies; the rest race ahead.
      const env: Record<string, string> = i % 5 < 3 ? { HEALTHY_AFTER_MS: String(2_000 + 250 * i) } : {};
      started.push(await b.deploy(projects[i % PROJECTS], env));
    }
    const operationIds = started.map((s) => s.operationId);

    await b.waitUntilPolling(started.map((s) => s.deploymentId), 3);
    const atKill = await prisma.deployment.groupBy({ by: ['status'], _count: true, where: { id: { in: started.map((s) => s.deploymentId) } } });
    const pidBefore = b.services.pids().redis;
    const { startMs: restartMs } = await b.services.restartRedis({ downMs: OUTAGE_MS });
    const pidAfter = b.services.pids().redis;
    expect(pidAfter).not.toBe(pidBefore);
    // The AOF brought the queues back: every flow's root job is still known to Redis. (redis-server writes the AOF
    // before it answers, so killing the process loses nothing acknowledged; fsync every second bounds the loss of an OS crash.)
    const roots = await Promise.all(operationIds.map((id) => b.engine.deps.queues.operations.getJobState(id)));
    const rootsLost = roots.filter((s) => s === 'unknown').length;
    expect(rootsLost).toBe(0);

    // The workers alone, first; then the reconciler, which must heal whatever a lost second of AOF writes left behind.
    const alone = await b.settle(operationIds, { timeoutMs: 45_000 });
    const firstPass = await b.reconcile();
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
      `redis restart figures: ${JSON.stringify({
        deploys: DEPLOYS,
        statusesAtKill: Object.fromEntries(atKill.map((g) => [g.status, g._count])),
        outageMs: OUTAGE_MS,
        redisRestartMs: restartMs,
        rootJobsLostByAof: rootsLost,
        settledWithoutReconcilerMs: alone.settled ? alone.waitedMs : null,
        reconcilerFirstPass: firstPass,
        reconcilerHealed: b.reconcilerHealed,
        jobs: await b.jobHistory(operationIds),
        createCallsAnsweredAlreadyExists: state.kraneCreateCalls - state.kraneCreations,
        kraneCreateCalls: state.kraneCreateCalls,
        kraneCreations: state.kraneCreations,
        workerProcessesStarted: b.pool.stats.started,
        workerProcessesThatExitedOnTheirOwn: b.pool.stats.exitedOnTheirOwn.map((e) => ({ pid: e.pid, exitCode: e.exitCode, signal: e.signal, tail: e.output.slice(-600) })),
      })}`,
    );
  }, 300_000);
});
