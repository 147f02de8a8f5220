import { runBulk } from '../../src/bulk/run-bulk';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';
import { directRunner, bulkFile, queuedJobs, writtenRows } from './support/bulk-file';

describe('a dry run writes nothing', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness();
  });
  afterAll(async () => h.close());

  it('checks every line against the current state and reports what would happen, without a write or an enqueue', async () => {
    const { workspace } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'api' });
    await seedProject(h.db.prisma, { workspace: 'other', project: 'web' });
    const v1 = await h.deploy({ projectId: 'api', image: HELLO_API }, workspace.id);
    expect((await h.waitForOperation(v1.operationId)).state).toBe('succeeded');
    const v2 = await h.deploy({ projectId: 'api', image: HELLO_API }, workspace.id);
    expect((await h.waitForOperation(v2.operationId)).state).toBe('succeeded');

    const lines = bulkFile(
      { op: 'deploy', workspace: 'acme', projectId: 'api', image: HELLO_API }, // 1
      { op: 'deploy', workspace: 'acme', projectId: 'api', environment: 'staging', image: HELLO_API }, // 2: no such environment
      { op: 'rollback', workspace: 'acme', projectId: 'api', targetDeploymentId: v1.deploymentId, expectedSourceDeploymentId: v2.deploymentId }, // 3
      { op: 'rollback', workspace: 'acme', projectId: 'api', targetDeploymentId: v1.deploymentId, expectedSourceDeploymentId: v1.deploymentId }, // 4: stale view
      { op: 'promote', workspace: 'acme', projectId: 'api', targetDeploymentId: v2.deploymentId }, // 5: already live, not pinned
      { op: 'undo', workspace: 'acme', projectId: 'api' }, // 6
      { op: 'undo', workspace: 'other', projectId: 'web' }, // 7: nothing to undo
      { op: 'cancel', workspace: 'acme', deploymentId: v2.deploymentId }, // 8: routed already
      { op: 'rescrape-openapi', workspace: 'acme', deploymentId: v1.deploymentId }, // 9
      { op: 'rescrape-openapi', workspace: 'other', deploymentId: v1.deploymentId }, // 10: not that workspace's
    );
    const rowsBefore = await writtenRows(h);
    const jobsBefore = await queuedJobs(h);

    const dry = await runBulk(directRunner(h), lines, { fileName: 'plan.jsonl', dryRun: true, concurrency: 4 });
    expect(dry.lines.map((l) => [l.line, l.outcome, l.code])).toEqual([
      [1, 'would enqueue', undefined],
      [2, 'rejected', 'not_found'],
      [3, 'would enqueue', undefined],
      [4, 'rejected', 'stale_source'],
      [5, 'rejected', 'already_live'],
      [6, 'would enqueue', undefined],
      [7, 'rejected', 'nothing_to_undo'],
      [8, 'rejected', 'deployment_finished'],
      [9, 'would do', undefined],
      [10, 'rejected', 'not_found'],
    ]);
    expect(dry.lines[0].detail).toBe('deploy file:examples/hello-api to api/production');
    expect(dry.lines[8].detail).toBe('fetch /openapi.json from 1 running instance(s)');
    expect(dry.summary).toMatchObject({ dryRun: true, wouldEnqueue: 3, wouldDo: 1, rejected: 6 });

    expect(await writtenRows(h)).toEqual(rowsBefore);
    expect(await queuedJobs(h)).toBe(jobsBefore);

    // What the dry run said would be enqueued is: and a dry run afterwards sees those lines as done.
    const accepted = bulkFile(...[1, 3, 6].map((n) => lines[n - 1].text));
    const real = await runBulk(directRunner(h), accepted, { fileName: 'plan.jsonl' });
    expect(real.lines.map((l) => l.outcome)).toEqual(['enqueued', 'enqueued', 'enqueued']);
    for (const l of real.lines) expect((await h.waitForOperation(l.operationId!)).state).toBe('succeeded');
    const again = await runBulk(directRunner(h), accepted, { fileName: 'plan.jsonl', dryRun: true });
    expect(again.lines.map((l) => [l.outcome, l.operationId])).toEqual(real.lines.map((l) => ['already done', l.operationId]));
  });
});
