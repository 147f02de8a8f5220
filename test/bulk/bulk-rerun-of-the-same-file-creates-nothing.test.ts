import { runBulk } from '../../src/bulk/run-bulk';
import { newId } from '../../src/ids';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';
import { directRunner, bulkFile } from './support/bulk-file';

describe('a rerun of the same file creates nothing', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness();
  });
  afterAll(async () => h.close());

  it('reports every line of the second run as already done, with the operation the first run created', async () => {
    const { workspace, project, production } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'api' });
    const v1 = await h.deploy({ projectId: 'api', image: HELLO_API }, workspace.id);
    expect((await h.waitForOperation(v1.operationId)).state).toBe('succeeded');
    const v2 = await h.deploy({ projectId: 'api', image: HELLO_API }, workspace.id);
    expect((await h.waitForOperation(v2.operationId)).state).toBe('succeeded');
    // A deploy recorded but never started (no flow): something to cancel that no worker will finish first.
    const idle = await h.db.prisma.deployment.create({ data: { id: newId('dep'), projectId: project.id, environmentId: production.id, image: HELLO_API } });

    const deployLine = { op: 'deploy', workspace: 'acme', projectId: 'api', environment: 'preview', image: HELLO_API };
    const lines = bulkFile(
      deployLine,
      { op: 'rollback', workspace: 'acme', projectId: 'api', targetDeploymentId: v1.deploymentId, expectedSourceDeploymentId: v2.deploymentId, reason: 'bad release' },
      { op: 'undo', workspace: 'acme', projectId: 'api' },
      { op: 'cancel', workspace: 'acme', deploymentId: idle.id },
      deployLine, // the same line twice is two operations, as the file says
    );

    const first = await runBulk(directRunner(h), lines, { fileName: 'backfill.jsonl' });
    expect(first.lines.map((l) => [l.line, l.op, l.outcome])).toEqual([
      [1, 'deploy', 'enqueued'],
      [2, 'rollback', 'enqueued'],
      [3, 'undo', 'enqueued'],
      [4, 'cancel', 'done'],
      [5, 'deploy', 'enqueued'],
    ]);
    expect(first.lines[0].operationId).not.toBe(first.lines[4].operationId);
    const createdIds = first.lines.filter((l) => l.outcome === 'enqueued').map((l) => l.operationId!);
    for (const id of createdIds) expect((await h.waitForOperation(id)).state).toBe('succeeded');
    const before = {
      operations: await h.db.prisma.operation.count(),
      deployments: await h.db.prisma.deployment.count(),
      routeChanges: await h.db.prisma.routeChange.count(),
      idle: await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: idle.id } }),
    };

    const second = await runBulk(directRunner(h), lines, { fileName: 'backfill.jsonl', concurrency: 3 });
    expect(second.lines.map((l) => [l.line, l.outcome, l.operationId])).toEqual(first.lines.map((l) => [l.line, 'already done', l.operationId]));
    expect(second.lines[0].deploymentId).toBe(first.lines[0].deploymentId);
    expect(second.summary).toMatchObject({ total: 5, alreadyDone: 5, enqueued: 0, rejected: 0 });

    expect(await h.db.prisma.operation.count()).toBe(before.operations);
    expect(await h.db.prisma.deployment.count()).toBe(before.deployments);
    expect(await h.db.prisma.routeChange.count()).toBe(before.routeChanges);
    expect((await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: idle.id } })).cancelRequestedAt).toEqual(before.idle.cancelRequestedAt);

    // The same file under another name is the same lines: still nothing new. The key is the line, not the file.
    const renamed = await runBulk(directRunner(h), lines, { fileName: 'copy-of-backfill.jsonl' });
    expect(renamed.summary.alreadyDone).toBe(5);
    expect(await h.db.prisma.operation.count()).toBe(before.operations);
  });
});
