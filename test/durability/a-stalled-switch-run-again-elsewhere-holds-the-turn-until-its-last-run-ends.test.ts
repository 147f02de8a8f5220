import { Client } from 'pg';
import { stepJobId } from '../../src/engine/queue-names';
import { readRoutingTrace, RoutingTraceRecord } from '../../src/routing/routing-trace';
import { requestSwitch } from '../../src/operations/request-switch';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';
import { startWorkerProcess } from '../support/worker-process';

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * What CPU starvation does to a routing job, made deterministic with SIGSTOP/SIGCONT instead of load: the worker
 * process holding a project's turn stops for longer than the routing queue's lock, BullMQ runs the job again in another
 * process (same ticket, newer fence), and the first run resumes and finishes. Before, that finish passed the turn on
 * while the re-run still held it, and the project's next switch ran beside the re-run (what a routing storm under a
 * load of 14–20 reported as "started while … was running"). The turn must stay with the job's newest run until it ends.
 */
describe('a switch whose worker stalls past its lock and is run again elsewhere', () => {
  let h: EngineHarness;
  const workers: ReturnType<typeof startWorkerProcess>[] = [];
  const stopped = new Set<number>();
  let locker: Client | undefined;
  let watcher: Client | undefined;
  const pause = (pid: number) => {
    process.kill(pid, 'SIGSTOP');
    stopped.add(pid);
  };
  const resume = (pid: number) => {
    process.kill(pid, 'SIGCONT');
    stopped.delete(pid);
  };
  beforeAll(async () => {
    h = await startEngineHarness({ workers: false });
  });
  afterAll(async () => {
    for (const pid of stopped) process.kill(pid, 'SIGCONT');
    await locker?.end().catch(() => undefined);
    await watcher?.end().catch(() => undefined);
    await Promise.all(workers.map((w) => w.stop()));
    await h.close();
  });

  it('keeps the turn with its newest run: the next switch starts only once every run of it has ended', async () => {
    const prisma = h.db.prisma;
    const { workspace, project } = await seedProject(prisma, { workspace: 'acme', project: 'shop' });
    const setup = h.engine.startWorkers({ concurrency: 5 });
    const versions: string[] = [];
    for (let i = 0; i < 3; i++) {
      const d = await h.deploy({ projectId: 'shop', image: HELLO_API }, workspace.id);
      expect((await h.waitForOperation(d.operationId)).state).toBe('succeeded');
      versions.push(d.deploymentId);
    }
    await setup.close();
    const [v1, v2] = versions;

    const worker = () =>
      startWorkerProcess({ redisUrl: h.redisUrl, databaseUrl: h.db.url, kraneUrl: h.krane.url, kraneToken: h.krane.token, prefix: h.prefix, logLevel: 'info', settings: { traceRouting: true, pollIntervalMs: 100 } });
    const started = async (w: ReturnType<typeof startWorkerProcess>) => until('a worker process to start', 60_000, async () => (w.recentOutput().includes('workers started') ? true : undefined));
    const first = worker();
    workers.push(first);
    await started(first);

    // The project's row held, so that a switch holding the turn waits inside its transaction (in PostgreSQL, which
    // goes on queueing its statement while the process is stopped).
    locker = new Client({ connectionString: h.db.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT id FROM "Project" WHERE id = $1 FOR NO KEY UPDATE', [project.id]);
    watcher = new Client({ connectionString: h.db.url });
    await watcher.connect();
    const lockWaiters = async (n: number) =>
      until(`${n} statement(s) waiting for the project's row`, 60_000, async () => {
        const { rows } = await watcher!.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%routingFence%'`);
        return rows[0].n >= n ? true : undefined;
      });
    const trace = () => readRoutingTrace(h.redis, h.prefix);
    const runsOf = (records: RoutingTraceRecord[], jobId: string, event: 'start' | 'end', pid?: number) =>
      records.filter((r) => r.jobId === jobId && r.event === event && (pid === undefined || r.pid === pid));

    const deps = { prisma, enqueue: h.engine.enqueue };
    const caller = { workspaceId: workspace.id, requestedBy: 'test' };
    const a = await requestSwitch(deps, caller, { kind: 'rollback', projectId: 'shop', targetDeploymentId: v1 });
    const aJob = stepJobId(a.operationId, 'switch-routes');
    await until('the first switch to take the turn', 60_000, async () => runsOf(await trace(), aJob, 'start', first.pid)[0]);
    await lockWaiters(1);
    const b = await requestSwitch(deps, caller, { kind: 'rollback', projectId: 'shop', targetDeploymentId: v2 });
    const bJob = stepJobId(b.operationId, 'switch-routes');

    // The holder stalls: its lock lapses and the second process runs the job again (same ticket, newer fence), which
    // queues behind the first run's statement in PostgreSQL.
    const second = worker();
    workers.push(second);
    await started(second);
    pause(first.pid!);
    await until('the switch to run again in the second process', 60_000, async () => runsOf(await trace(), aJob, 'start', second.pid)[0]);
    await lockWaiters(2);

    // The re-run stalls in turn; the first run resumes, gets the row, commits and finishes its turn.
    pause(second.pid!);
    await locker.query('ROLLBACK');
    resume(first.pid!);
    await until('the first run to end', 60_000, async () => runsOf(await trace(), aJob, 'end', first.pid)[0]);
    // Then either the next switch starts (the turn passed on while the re-run still held it), or, the re-run's lock
    // lapsing too, the job runs a third time in the first process.
    await until('the next switch to start, or the job to run a third time', 60_000, async () => {
      const records = await trace();
      return runsOf(records, bJob, 'start').length > 0 || runsOf(records, aJob, 'start', first.pid).length > 1 ? true : undefined;
    });
    resume(second.pid!);

    const done = async (operationId: string) =>
      until('the switch to end', 60_000, async () => {
        const op = await prisma.operation.findUniqueOrThrow({ where: { id: operationId } });
        return ['queued', 'running'].includes(op.state) ? undefined : op;
      });
    expect((await done(a.operationId)).state).toBe('succeeded');
    expect((await done(b.operationId)).state).toBe('succeeded');
    const records = await trace();
    const t0 = records[0].at;
    console.log(`routing runs around a stalled switch:\n${records.map((r) => `${r.event} ${r.jobId === aJob ? 'A' : r.jobId === bJob ? 'B' : r.jobId} pid ${r.pid === first.pid ? 'first' : 'second'} ticket ${r.ticket} at +${r.at - t0} ms${r.sequence ? ` #${r.sequence}` : ''}`).join('\n')}`);

    // Every run of the stalled switch ended (each naming the same route change) before the next switch started.
    const aEnds = runsOf(records, aJob, 'end');
    const bStart = runsOf(records, bJob, 'start')[0];
    expect(aEnds.length).toBe(runsOf(records, aJob, 'start').length);
    expect(new Set(aEnds.map((r) => r.sequence)).size).toBe(1);
    expect(aEnds.filter((r) => r.at > bStart.at).map((r) => `${r.jobId} pid ${r.pid} ended ${r.at - bStart.at} ms after ${bJob} started`)).toEqual([]);

    // And both applied once, in request order; the last request wins.
    const changes = await prisma.routeChange.findMany({ where: { projectId: project.id }, orderBy: { sequence: 'asc' } });
    expect(changes.slice(-2).map((c) => c.operationId)).toEqual([a.operationId, b.operationId]);
    expect((await prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(v2);
  }, 240_000);
});
