import type { Settings } from '../../src/app/settings';
import { TerminalError } from '../../src/errors';
import { DurabilityBed, startDurabilityBed, until } from './durability-bed';
import { inspectFinalState } from './final-state';

// Short locks so a killed worker's jobs stall and come back fast; a short poll deadline so the deploys that never get
// healthy fail (and must be compensated) while the kills are still going on.
const SETTINGS: Partial<Settings> = { pollIntervalMs: 200, pollDeadlineMs: 2_000, backoffMs: 200, lockDurationMs: 2_000, stalledIntervalMs: 1_000 };
const PROJECTS = 3;
const DEPLOYS = 15;
const FAILING = new Set([2, 6, 9, 13]);
const KILLS = 16;
const KILL_EVERY_MS = 700;

/** A seeded pseudo-random generator: the same kill pattern on every run (the timing around it still varies). */
function random(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('worker processes SIGKILLed at random points while deploys, undos, rollbacks and promotes run', () => {
  let bed: DurabilityBed | undefined;
  beforeAll(async () => {
    bed = await startDurabilityBed({ settings: SETTINGS, workers: 2, concurrency: 5 });
  }, 120_000);
  afterAll(async () => {
    await bed?.close();
  }, 120_000);

  it('never creates a deployment twice in Krane, compensates every failed deploy, ends every operation and keeps one live route per live pointer', async () => {
    const b = bed!;
    const { prisma } = b.db;
    const projects = await b.seedProjects(PROJECTS);
    const rnd = random(7);

    // Before any kill, two ready deployments per project, so the undos, rollbacks and promotes mixed in below always have
    // a route change to undo and a ready deployment to switch to.
    const before: { deploymentId: string; operationId: string }[] = [];
    for (const p of projects) for (let i = 0; i < 2; i++) before.push(await b.deploy(p));
    expect((await b.settle(before.map((d) => d.operationId), { timeoutMs: 90_000 })).unfinished).toEqual([]);
    const others: { kind: string; operationId: string }[] = [];
    const refusedAtRequest: string[] = [];
    const mixIn = async (i: number) => {
      const project = projects[i % PROJECTS];
      if (i % 4 === 1) others.push({ kind: 'undo', operationId: await b.undo(project) });
      if (i % 4 !== 3) return;
      // Rollback to the oldest ready deployment that is not live, or promote the newest one.
      const kind = i % 8 === 3 ? 'rollback' : 'promote';
      const p = await prisma.project.findUniqueOrThrow({ where: { id: project.project.id } });
      const target = await prisma.deployment.findFirst({
        where: { projectId: project.project.id, environmentId: project.production.id, status: 'ready', ...(p.liveDeploymentId ? { id: { not: p.liveDeploymentId } } : {}) },
        orderBy: { id: kind === 'rollback' ? 'asc' : 'desc' },
      });
      if (!target) return;
      try {
        others.push({ kind, operationId: await b.switchTo(kind, project, target.id) });
      } catch (err) {
        // The state moved between the look and the request (e.g. the target went live meanwhile): refused at once, as it should be.
        if (!(err instanceof TerminalError)) throw err;
        refusedAtRequest.push(`${kind}: ${err.code}`);
      }
    };

    // Deploys go in one after another, with an undo or a rollback/promote after some, while a random worker is SIGKILLed
    // (and replaced) every 700 ms.
    const started: { deploymentId: string; operationId: string; failing: boolean }[] = [];
    const killer = (async () => {
      for (let k = 0; k < KILLS; k++) {
        await sleep(KILL_EVERY_MS);
        await b.pool.killOne(Math.floor(rnd() * b.pool.size));
      }
    })();
    for (let i = 0; i < DEPLOYS; i++) {
      const failing = FAILING.has(i);
      const created = await b.deploy(projects[i % PROJECTS], failing ? { FAIL_HEALTH: '1' } : {});
      started.push({ ...created, failing });
      await mixIn(i);
      await sleep(400);
    }
    await killer;
    const killsEndedAt = Date.now();
    const atLastKill = await prisma.operation.groupBy({ by: ['state'], _count: true, where: { id: { in: [...started, ...others].map((s) => s.operationId) } } });

    // Then the surviving workers and the reconciler (every 2 s) bring every operation to an end…
    const operationIds = [...started.map((s) => s.operationId), ...others.map((o) => o.operationId)];
    const settled = await b.settle(operationIds, { timeoutMs: 120_000, reconcileEveryMs: 2_000 });
    if (!settled.settled) console.log(`unfinished operations:\n${(await Promise.all(settled.unfinished.map((id) => b.explain(id)))).join('\n')}\n${b.pool.output()}`);
    expect(settled.unfinished).toEqual([]);
    // …and every failed deploy is compensated: its compensation job may have been killed too, which the reconciler retries.
    await until(
      'every failed deploy compensated',
      async () => {
        await b.reconcile();
        return (await prisma.deployment.count({ where: { id: { in: started.map((s) => s.deploymentId) }, status: { in: ['failed', 'cancelled'] }, compensatedAt: null } })) === 0;
      },
      60_000,
      1_000,
    );

    const state = await inspectFinalState(b, projects.map((p) => p.project.id));
    if (state.violations.length) console.log(`${state.violations.join('\n')}\n${(await Promise.all(operationIds.map((id) => b.explain(id)))).join('\n')}`);
    expect(state.violations).toEqual([]);
    // A deploy whose app never gets healthy can only fail; one that does may still fail (a job killed twice in a row
    // exceeds BullMQ's stall limit), but then it is compensated like any other failure.
    const deployments = await prisma.deployment.findMany({ where: { id: { in: started.map((s) => s.deploymentId) } } });
    const statusOf = new Map(deployments.map((d) => [d.id, d.status]));
    expect(started.filter((s) => s.failing).map((s) => statusOf.get(s.deploymentId))).toEqual(started.filter((s) => s.failing).map(() => 'failed'));
    expect(deployments.filter((d) => d.status === 'ready').length).toBeGreaterThan(0);

    const healthyFailed = started.filter((s) => !s.failing && statusOf.get(s.deploymentId) !== 'ready');
    if (healthyFailed.length) console.log(`deploys of a healthy app that failed:\n${(await Promise.all(healthyFailed.map((s) => b.explain(s.operationId)))).join('\n')}`);
    console.log(
      `sigkill figures: ${JSON.stringify({
        deploys: DEPLOYS,
        failingByDesign: FAILING.size,
        mixedIn: others.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o.kind]: (acc[o.kind] ?? 0) + 1 }), {}),
        refusedAtRequest,
        kills: b.pool.stats.killed,
        workerProcessesStarted: b.pool.stats.started,
        workerProcessesThatExitedOnTheirOwn: b.pool.stats.exitedOnTheirOwn.length,
        operationsAtLastKill: Object.fromEntries(atLastKill.map((g) => [g.state, g._count])),
        settledAfterLastKillMs: Date.now() - killsEndedAt,
        deployments: state.deployments,
        operations: state.operations,
        healthyDeploysThatFailed: healthyFailed.length,
        reconcilerHealed: b.reconcilerHealed,
        jobs: await b.jobHistory(operationIds),
        kraneCreateCalls: state.kraneCreateCalls,
        kraneCreations: state.kraneCreations,
        kraneDeletes: b.krane.calls.delete,
      })}`,
    );
  }, 300_000);
});
