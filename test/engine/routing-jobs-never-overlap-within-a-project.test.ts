import { readRoutingTrace } from '../../src/routing/routing-trace';
import { assertSerialPerProject, endedJobs } from '../support/routing-trace-checks';
import { seedProject } from '../support/seed';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';

describe('routing jobs', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness({ settings: { traceRouting: true } });
  });
  afterAll(async () => h.close());

  it('of two projects deploying at once both progress, and within a project never overlap', async () => {
    const a = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    const b = await seedProject(h.db.prisma, { workspace: 'beta', project: 'blog' });
    const ops = await Promise.all(
      [...Array(4)].flatMap((_, i) => [
        h.deploy({ projectId: 'shop', image: HELLO_API, git: { branch: `b${i}` } }, a.workspace.id),
        h.deploy({ projectId: 'blog', image: HELLO_API, git: { branch: `b${i}` } }, b.workspace.id),
      ]),
    );
    const done = await Promise.all(ops.map((o) => h.waitForOperation(o.operationId, 60_000)));
    expect(done.map((d) => d.state)).toEqual(Array(8).fill('succeeded'));

    const trace = await readRoutingTrace(h.redis, h.prefix);
    const byProject = assertSerialPerProject(trace);
    expect([...byProject.keys()].sort()).toEqual([a.project.id, b.project.id].sort());
    expect(endedJobs(byProject.get(a.project.id)!)).toHaveLength(4);
    // Both projects were in flight at the same time: their deploys interleave rather than run one project after the other.
    const steps = await h.db.prisma.deploymentStep.findMany({ where: { name: 'poll-instances' }, select: { ownerId: true, startedAt: true, endedAt: true } });
    const deployments = await h.db.prisma.deployment.findMany({ select: { id: true, projectId: true } });
    const projectOf = new Map(deployments.map((d) => [d.id, d.projectId]));
    const span = (projectId: string) => {
      const rows = steps.filter((s) => projectOf.get(s.ownerId) === projectId);
      return [Math.min(...rows.map((s) => s.startedAt!.getTime())), Math.max(...rows.map((s) => s.endedAt!.getTime()))];
    };
    const [aStart, aEnd] = span(a.project.id);
    const [bStart, bEnd] = span(b.project.id);
    expect(aStart < bEnd && bStart < aEnd).toBe(true);
  });

  it('the checker itself rejects overlapping and out-of-order runs', () => {
    const at = 0;
    const rec = (event: 'start' | 'end', jobId: string, ticket: number) => ({ event, projectId: 'p', jobId, ticket, at, pid: 1 });
    expect(() => assertSerialPerProject([rec('start', 'a', 1), rec('start', 'b', 2), rec('end', 'a', 1), rec('end', 'b', 2)])).toThrow(/started while/);
    expect(() => assertSerialPerProject([rec('start', 'b', 2), rec('end', 'b', 2), rec('start', 'a', 1), rec('end', 'a', 1)])).toThrow(/a started with ticket 1 after b had run with ticket 2/);
  });

  it('the checker accepts a re-run of the same job (a false stall) only if it commits nothing new', () => {
    const at = 0;
    const rec = (event: 'start' | 'end', jobId: string, ticket: number, sequence?: number) => ({ event, projectId: 'p', jobId, ticket, at, pid: 1, sequence });
    // The re-run overlaps the first run or follows it, and replays route change #5: accepted.
    expect(() => assertSerialPerProject([rec('start', 'a', 1), rec('start', 'a', 1), rec('end', 'a', 1, 5), rec('end', 'a', 1, 5), rec('start', 'b', 2), rec('end', 'b', 2, 6)])).not.toThrow();
    expect(() => assertSerialPerProject([rec('start', 'a', 1), rec('end', 'a', 1, 5), rec('start', 'a', 1), rec('end', 'a', 1, 5), rec('start', 'b', 2), rec('end', 'b', 2, 6)])).not.toThrow();
    // Refused by the fence (no end): nothing is left open.
    expect(() => assertSerialPerProject([rec('start', 'a', 1), rec('start', 'a', 1), rec('end', 'a', 1, 5), rec('start', 'b', 2), rec('end', 'b', 2, 6)])).not.toThrow();
    // A re-run that commits a second route change: refused.
    expect(() => assertSerialPerProject([rec('start', 'a', 1), rec('end', 'a', 1, 5), rec('start', 'a', 1), rec('end', 'a', 1, 6)])).toThrow(/a ran again and committed route change #6 after #5/);
    // Another job during a job's run is still refused, whatever ran before.
    expect(() => assertSerialPerProject([rec('start', 'a', 1), rec('start', 'a', 1), rec('start', 'b', 2)])).toThrow(/b started while a was running/);
  });
});
