import { readRoutingTrace, routingTraceKey } from '../../../src/routing/routing-trace';
import { newId } from '../../../src/ids';
import type { StoredRouteChange } from '../../../src/routing/changes/route-change-types';
import { EngineHarness, HELLO_API, startEngineHarness } from '../../support/engine-harness';
import { assertSerialPerProject, endedJobs, rerunCount } from '../../support/routing-trace-checks';
import { seedProject } from '../../support/seed';
import { startWorkerProcess } from '../../support/worker-process';

/** A seeded pseudo-random generator: the storm is the same on every run. */
function random(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

type Request = { kind: 'rollback' | 'promote'; projectId: string; target: string } | { kind: 'deploy'; projectId: string; slug: string; workspaceId: string };

export interface RoutingStormOptions {
  projects: number;
  switchesPerProject: number;
  workerProcesses: number;
  /** Another Redis than the shared test server (a Redis Cluster's `redis+cluster://…`), started before the storm. */
  redis?: { start(): Promise<string>; stop(): Promise<void> };
}

/**
 * Registers the serialization proof on the describe block that calls it: a storm of rollbacks, promotes and deploys
 * over many projects, run by several `npm run worker` processes, never runs two routing jobs of one project at once
 * and applies them in request order.
 */
export function routingStorm(options: RoutingStormOptions): void {
  const PROJECTS = options.projects;
  const SWITCHES_PER_PROJECT = options.switchesPerProject;
  const WORKER_PROCESSES = options.workerProcesses;
  let h: EngineHarness;
  const workers: ReturnType<typeof startWorkerProcess>[] = [];
  beforeAll(async () => {
    const redisUrl = await options.redis?.start();
    h = await startEngineHarness({ workers: false, settings: { pollIntervalMs: 100 }, redisUrl });
  }, 90_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await h?.close();
    await options.redis?.stop();
  });

  it('never runs two routing jobs of a project at once, applies them in request order, and ends at the last request', async () => {
    const prisma = h.db.prisma;
    // Setup: 20 projects with 3 ready production deployments each, deployed for real by in-process workers.
    const setupWorkers = h.engine.startWorkers({ concurrency: 10 });
    const projects: Awaited<ReturnType<typeof seedProject>>[] = [];
    for (let i = 0; i < PROJECTS; i++) projects.push(await seedProject(prisma, { workspace: `ws${i}`, project: `p${i}` }));
    const setupOps = await Promise.all(
      // Each on a branch of its own: latest wins would otherwise supersede the older deploys of a branch, and every
      // one of the three must end ready to be a target of the storm.
      projects.flatMap((p) => [0, 1, 2].map((n) => h.deploy({ projectId: p.project.id, image: HELLO_API, git: { branch: `setup-${n}` } }, p.workspace.id))),
    );
    const setupDone = await Promise.all(setupOps.map((o) => h.waitForOperation(o.operationId, 120_000)));
    expect(setupDone.filter((o) => o.state !== 'succeeded')).toEqual([]);
    await setupWorkers.close();
    const targets = new Map(projects.map((p) => [p.project.id, setupOps.filter((o, n) => Math.floor(n / 3) === projects.indexOf(p)).map((o) => o.deploymentId)]));

    const routesBefore = new Map((await prisma.ingressRoute.findMany()).map((r) => [r.hostname, r.deploymentId]));
    const lastSequenceBefore = new Map((await prisma.routeChange.groupBy({ by: ['projectId'], _max: { sequence: true } })).map((g) => [g.projectId, g._max.sequence ?? 0]));
    await h.redis.del(routingTraceKey(h.prefix));

    for (let i = 0; i < WORKER_PROCESSES; i++) {
      workers.push(
        startWorkerProcess({
          redisUrl: h.redisUrl,
          databaseUrl: h.db.url,
          kraneUrl: h.krane.url,
          kraneToken: h.krane.token,
          prefix: h.prefix,
          concurrency: 10,
          settings: { traceRouting: true, pollIntervalMs: 100, backoffMs: 100 },
        }),
      );
    }

    // The storm: per project 26 rollbacks/promotes to random targets plus one deploy, all projects interleaved.
    const rnd = random(42);
    const requests: Request[] = [];
    for (let n = 0; n < SWITCHES_PER_PROJECT; n++) {
      for (const p of projects) {
        const list = targets.get(p.project.id)!;
        requests.push({ kind: rnd() < 0.5 ? 'rollback' : 'promote', projectId: p.project.id, target: list[Math.floor(rnd() * list.length)] });
      }
    }
    projects.forEach((p, i) => requests.splice(Math.floor(rnd() * requests.length), 0, { kind: 'deploy', projectId: p.project.id, slug: `p${i}`, workspaceId: p.workspace.id }));

    const started = Date.now();
    const order: { operationId: string; request: Request }[] = [];
    for (const request of requests) {
      if (request.kind === 'deploy') {
        const created = await h.deploy({ projectId: request.projectId, image: HELLO_API, git: { branch: 'storm' } }, request.workspaceId);
        order.push({ operationId: created.operationId, request });
      } else {
        // Straight to the engine: request-time checks (e.g. "already live" → 409) would reject some of a random storm.
        const id = newId('op');
        await prisma.operation.create({ data: { id, kind: request.kind, projectId: request.projectId, deploymentId: request.target, requestedBy: 'storm' } });
        await h.engine.enqueue(id);
        order.push({ operationId: id, request });
      }
    }
    const deadline = Date.now() + 300_000;
    while ((await prisma.operation.count({ where: { state: { in: ['queued', 'running'] } } })) > 0) {
      if (Date.now() > deadline) throw new Error('the storm did not finish within 5 minutes');
      await new Promise((r) => setTimeout(r, 200));
    }
    const wallMs = Date.now() - started;

    const ops = await prisma.operation.findMany({ where: { id: { in: order.map((o) => o.operationId) } } });
    expect(ops.filter((o) => o.state !== 'succeeded').map((o) => `${o.kind} ${o.state} ${o.errorMessage}`)).toEqual([]);

    // 1. Never two routing runs of one project at once; tickets served in increasing order.
    const trace = await readRoutingTrace(h.redis, h.prefix);
    let byProject: ReturnType<typeof assertSerialPerProject>;
    try {
      byProject = assertSerialPerProject(trace);
    } catch (err) {
      // Say why a job ran twice or out of order: the attempts BullMQ recorded on the jobs named (a failed attempt
      // retried, or a stall: a worker whose lock lapsed, and the job run again elsewhere) and their trace records.
      const jobIds = [...new Set([...(err as Error).message.matchAll(/(op_\w+\.[\w-]+)/g)].map((m) => m[1]))];
      const about = await Promise.all(
        jobIds.map(async (jobId) => {
          const job = await h.engine.deps.queues.routing.getJob(jobId);
          const records = trace.filter((r) => r.jobId === jobId);
          return `${jobId}: trace ${JSON.stringify(records)}; attempts made ${job?.attemptsMade}, started ${job?.attemptsStarted}, stalled ${job?.stalledCounter}, failures ${JSON.stringify(job?.stacktrace ?? [])}`;
        }),
      );
      throw new Error(`${(err as Error).message}\n${about.join('\n')}`);
    }
    let maxGlobal = 0;
    let open = 0;
    for (const r of [...trace].sort((a, b) => a.at - b.at || (a.event === 'end' ? -1 : 1))) {
      open += r.event === 'start' ? 1 : -1;
      maxGlobal = Math.max(maxGlobal, open);
    }
    expect(new Set(trace.map((r) => r.pid)).size).toBeGreaterThan(1);

    // 2. Per project, rollbacks and promotes applied in the order they were requested.
    const changes = await prisma.routeChange.findMany({ orderBy: [{ projectId: 'asc' }, { sequence: 'asc' }] });
    const requestIndex = new Map(order.map((o, n) => [o.operationId, n]));
    for (const p of projects) {
      const applied = changes.filter((c) => c.projectId === p.project.id && c.sequence > (lastSequenceBefore.get(p.project.id) ?? 0));
      const switchOrder = applied.map((c) => requestIndex.get(c.operationId)!).filter((n) => order[n].request.kind !== 'deploy');
      expect(switchOrder).toEqual([...switchOrder].sort((a, b) => a - b));
      expect(applied).toHaveLength(SWITCHES_PER_PROJECT + 1);
      expect(endedJobs(byProject.get(p.project.id)!)).toHaveLength(SWITCHES_PER_PROJECT + 1);

      // 3. The final live deployment is what the requests, replayed in that order, leave live.
      let live: string | null = null;
      let pinned = false;
      for (const c of applied) {
        const { request } = order[requestIndex.get(c.operationId)!];
        if (request.kind === 'deploy') {
          const d = ops.find((o) => o.id === c.operationId)!.deploymentId!;
          if (!pinned) live = d;
        } else {
          live = request.target;
          pinned = request.kind === 'rollback';
        }
      }
      const final = await prisma.project.findUniqueOrThrow({ where: { id: p.project.id } });
      expect({ live: final.liveDeploymentId, pinned: final.isRolledBack }).toEqual({ live, pinned });
    }

    // 4. The RouteChange history, replayed over the table as it was, gives the table as it is.
    const replayed = new Map(routesBefore);
    for (const c of changes.filter((c) => c.sequence > (lastSequenceBefore.get(c.projectId) ?? 0))) {
      for (const route of (c.changes as unknown as StoredRouteChange).applied) {
        if (route.toDeploymentId === null) replayed.delete(route.hostname);
        else replayed.set(route.hostname, route.toDeploymentId);
      }
    }
    const after = new Map((await prisma.ingressRoute.findMany()).map((r) => [r.hostname, r.deploymentId]));
    expect(Object.fromEntries([...after].sort())).toEqual(Object.fromEntries([...replayed].sort()));

    const runs: number[] = [];
    const gaps: number[] = [];
    for (const records of byProject.values()) {
      for (let n = 0; n + 1 < records.length; n += 2) {
        runs.push(records[n + 1].at - records[n].at);
        if (n + 2 < records.length) gaps.push(records[n + 2].at - records[n + 1].at);
      }
    }
    const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
    const figures = {
      operations: order.length,
      switches: order.filter((o) => o.request.kind !== 'deploy').length,
      deploys: order.filter((o) => o.request.kind === 'deploy').length,
      projects: PROJECTS,
      workerProcesses: new Set(trace.map((r) => r.pid)).size,
      maxConcurrentRoutingRunsPerProject: 1,
      // Re-runs of a job after a false stall or a failed attempt (each committed nothing new: checked above).
      routingReruns: rerunCount(trace),
      maxConcurrentRoutingRunsOverall: maxGlobal,
      wallSeconds: Math.round(wallMs / 100) / 10,
      meanRoutingRunMs: mean(runs),
      meanRouteTransactionMs: mean(trace.filter((r) => r.event === 'end').map((r) => r.txMs ?? 0)),
      meanGapBetweenRunsOfAProjectMs: mean(gaps),
    };
    console.log(`serialization figures: ${JSON.stringify(figures)}`);
  }, 600_000);
}
