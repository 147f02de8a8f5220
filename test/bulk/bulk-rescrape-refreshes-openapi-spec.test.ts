import { runBulk } from '../../src/bulk/run-bulk';
import { newId } from '../../src/ids';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';
import { directRunner, bulkFile } from './support/bulk-file';

describe('rescrape-openapi refreshes the stored spec', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness();
  });
  afterAll(async () => h.close());

  it("fetches a ready deployment's document again from its running instances, and refuses what it cannot fetch from", async () => {
    const { workspace, project, production } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'api' });
    await seedProject(h.db.prisma, { workspace: 'other', project: 'web' });
    const served = await h.deploy({ projectId: 'api', image: HELLO_API, runtime: { env: { VERSION: '3.2.1' } } }, workspace.id);
    expect((await h.waitForOperation(served.operationId)).state).toBe('succeeded');
    const noSpec = await h.deploy({ projectId: 'api', image: HELLO_API, runtime: { openapiPath: '/no-spec-here.json' } }, workspace.id);
    expect((await h.waitForOperation(noSpec.operationId)).state).toBe('succeeded');
    const pending = await h.db.prisma.deployment.create({ data: { id: newId('dep'), projectId: project.id, environmentId: production.id, image: HELLO_API } });

    // As a deployment from before scraping worked would be: no document.
    await h.db.prisma.deployment.update({ where: { id: served.deploymentId }, data: { openapiSpec: null, openapiFetchedAt: null } });
    const storedBefore = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: noSpec.deploymentId } });

    const report = await runBulk(
      directRunner(h),
      bulkFile(
        { op: 'rescrape-openapi', workspace: 'acme', deploymentId: served.deploymentId },
        { op: 'rescrape-openapi', workspace: 'acme', deploymentId: noSpec.deploymentId },
        { op: 'rescrape-openapi', workspace: 'acme', deploymentId: pending.id },
        { op: 'rescrape-openapi', workspace: 'other', deploymentId: served.deploymentId },
        { op: 'rescrape-openapi', workspace: 'acme', deploymentId: 'dep_missing' },
      ),
      { fileName: 'rescrape.jsonl' },
    );
    expect(report.lines.map((l) => [l.line, l.outcome, l.code])).toEqual([
      [1, 'done', undefined],
      [2, 'done', undefined],
      [3, 'rejected', 'deployment_not_ready'],
      [4, 'rejected', 'not_found'],
      [5, 'rejected', 'not_found'],
    ]);
    expect(report.lines[0].detail).toMatch(/^spec stored \(\d+ bytes\) from 127\.0\.0\.1:\d+\/openapi\.json$/);
    expect(report.lines[1].detail).toMatch(/^no spec \(127\.0\.0\.1:\d+ answered 404\); the stored document is unchanged$/);

    const refreshed = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: served.deploymentId } });
    expect(JSON.parse(refreshed.openapiSpec!)).toMatchObject({ openapi: '3.1.0', info: { title: 'hello-api', version: '3.2.1' } });
    expect(refreshed.openapiFetchedAt).toBeInstanceOf(Date);
    const untouched = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: noSpec.deploymentId } });
    expect([untouched.openapiSpec, untouched.openapiFetchedAt]).toEqual([storedBefore.openapiSpec, storedBefore.openapiFetchedAt]);

    // Once the instances are gone there is nothing to fetch from: refused, the stored document kept.
    await h.krane.client.delete('acme', served.deploymentId);
    await h.db.prisma.instance.updateMany({ where: { deploymentId: served.deploymentId }, data: { status: 'stopped' } });
    const gone = await runBulk(directRunner(h), bulkFile({ op: 'rescrape-openapi', workspace: 'acme', deploymentId: served.deploymentId }), { fileName: 'rescrape.jsonl' });
    expect(gone.lines[0]).toMatchObject({ outcome: 'rejected', code: 'no_running_instances' });
    expect((await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: served.deploymentId } })).openapiSpec).toBe(refreshed.openapiSpec);
  });
});
