import { runBulk } from '../../src/bulk/run-bulk';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';
import { directRunner, bulkFile } from './support/bulk-file';

describe('deploy and rollback lines run through the engine', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness();
  });
  afterAll(async () => h.close());

  it('deploys, rolls back and undoes as the file says, each project in file order, recorded as the script line', async () => {
    const { project: api } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'api' });
    const { project: web } = await seedProject(h.db.prisma, { workspace: 'beta', project: 'web' });
    // v1/w1 and v2/w2 are in flight together: on one branch, latest wins could stop v1 before it is routed, and this
    // test needs both to end ready (it rolls back to v1), so the first of each project is on a branch of its own.
    const deploy = (workspace: string, projectId: string, version: string) => ({
      op: 'deploy',
      workspace,
      projectId,
      image: HELLO_API,
      git: { branch: version.endsWith('1') ? 'release' : 'main' },
      runtime: { env: { VERSION: version } },
    });

    // Two projects interleaved, four lines in flight at once: each project's deploys still reach the engine in order.
    const deploys = await runBulk(directRunner(h), bulkFile(deploy('acme', 'api', 'v1'), deploy('beta', 'web', 'w1'), deploy('acme', 'api', 'v2'), deploy('beta', 'web', 'w2')), {
      fileName: 'deploys.jsonl',
      concurrency: 4,
    });
    expect(deploys.lines.map((l) => l.outcome)).toEqual(['enqueued', 'enqueued', 'enqueued', 'enqueued']);
    for (const l of deploys.lines) expect((await h.waitForOperation(l.operationId!)).state).toBe('succeeded');
    const [v1, w1, v2, w2] = deploys.lines.map((l) => l.deploymentId!);
    expect(v1 < v2 && w1 < w2).toBe(true);
    const ops = await h.db.prisma.operation.findMany({ where: { id: { in: deploys.lines.map((l) => l.operationId!) } }, orderBy: { createdAt: 'asc' } });
    expect(Object.fromEntries(ops.map((o) => [o.deploymentId, o.requestedBy]))).toEqual({
      [v1]: 'script:deploys.jsonl:1',
      [w1]: 'script:deploys.jsonl:2',
      [v2]: 'script:deploys.jsonl:3',
      [w2]: 'script:deploys.jsonl:4',
    });
    const deployment = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: v2 } });
    expect(deployment).toMatchObject({ status: 'ready', envVars: { VERSION: 'v2' }, gitBranch: 'main' });
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: api.id } })).liveDeploymentId).toBe(v2);
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: web.id } })).liveDeploymentId).toBe(w2);

    // Roll api back (pinned, recorded as the script line); roll web back and undo it right after: the undo applies second.
    const switches = await runBulk(
      directRunner(h),
      bulkFile(
        { op: 'rollback', workspace: 'acme', projectId: 'api', targetDeploymentId: v1, expectedSourceDeploymentId: v2, reason: 'v2 breaks checkout' },
        { op: 'rollback', workspace: 'beta', projectId: web.id, targetDeploymentId: w1 },
        { op: 'undo', workspace: 'beta', projectId: 'web', reason: 'false alarm' },
      ),
      { fileName: '/srv/ops/incident-42.jsonl', concurrency: 4 },
    );
    expect(switches.lines.map((l) => l.outcome)).toEqual(['enqueued', 'enqueued', 'enqueued']);
    for (const l of switches.lines) expect((await h.waitForOperation(l.operationId!)).state).toBe('succeeded');

    expect(await h.db.prisma.project.findUniqueOrThrow({ where: { id: api.id } })).toMatchObject({
      liveDeploymentId: v1,
      isRolledBack: true,
      rolledBackBy: 'script:incident-42.jsonl:1',
      rollbackReason: 'v2 breaks checkout',
      rolledBackFromDeploymentId: v2,
    });
    expect(await h.db.prisma.project.findUniqueOrThrow({ where: { id: web.id } })).toMatchObject({ liveDeploymentId: w2, isRolledBack: false });
    const webChanges = await h.db.prisma.routeChange.findMany({ where: { projectId: web.id }, orderBy: { sequence: 'asc' }, select: { operationId: true } });
    expect(webChanges.slice(-2).map((c) => c.operationId)).toEqual([switches.lines[1].operationId, switches.lines[2].operationId]);
    const undo = await h.db.prisma.operation.findUniqueOrThrow({ where: { id: switches.lines[2].operationId! } });
    expect(undo).toMatchObject({ kind: 'undo', requestedBy: 'script:incident-42.jsonl:3', reason: 'false alarm' });
  });
});
