import { runBulk } from '../../src/bulk/run-bulk';
import { readBulkLines } from '../../src/bulk/bulk-file';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';
import { directRunner, bulkText } from './support/bulk-file';

describe('bulk lines are validated with line numbers', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness({ workers: false });
  });
  afterAll(async () => h.close());

  it('rejects each invalid line naming its line and field, and still enqueues the valid ones', async () => {
    const { project } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'api' });
    const text = bulkText(
      '# a comment, then an empty line',
      '',
      { op: 'deploy', workspace: 'acme', projectId: 'api', image: HELLO_API }, // line 3: valid
      '{"op":"deploy", "workspace":', // 4: not JSON
      { op: 'explode', workspace: 'acme' }, // 5: unknown op
      { op: 'deploy', workspace: 'acme', projectId: 'api', image: HELLO_API, runtime: { replicas: 99 } }, // 6: out of range
      { op: 'rollback', workspace: 'acme', projectId: 'api', targetDeploymentId: 'dep_x', colour: 'red' }, // 7: unknown field
      { op: 'cancel', workspace: 'acme' }, // 8: missing field
      '[1, 2, 3]', // 9: not an object
      { op: 'deploy', workspace: 'Not A Slug', projectId: 'api', image: HELLO_API }, // 10: bad workspace slug
      { op: 'deploy', workspace: 'nobody', projectId: 'api', image: HELLO_API }, // 11: unknown workspace
      { op: 'undo', workspace: 'acme', projectId: 'no-such-project' }, // 12: unknown project
      '   # an indented comment',
      { op: 'promote', workspace: 'acme', projectId: 'api', targetDeploymentId: 'dep_x', reason: 'x'.repeat(1001) }, // 14: too long
    );
    const lines = readBulkLines(text);
    expect(lines.map((l) => l.lineNumber)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14]);

    const report = await runBulk(directRunner(h), lines, { fileName: '/tmp/some/dir/backfill.jsonl' });
    const byLine = new Map(report.lines.map((l) => [l.line, l]));
    expect(report.lines.map((l) => l.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14]);

    expect(byLine.get(3)).toMatchObject({ op: 'deploy', outcome: 'enqueued', operationId: expect.stringMatching(/^op_/) });
    expect(byLine.get(4)).toMatchObject({ outcome: 'rejected', code: 'invalid_json', message: expect.stringMatching(/^line 4: not valid JSON/) });
    expect(byLine.get(5)).toMatchObject({ op: 'explode', outcome: 'rejected', code: 'validation_failed', issues: [{ field: 'op', message: expect.stringContaining('"deploy"') }] });
    expect(byLine.get(5)!.message).toMatch(/^line 5: op: must be one of "deploy", "rollback", "promote", "undo", "cancel", "rescrape-openapi"/);
    expect(byLine.get(6)).toMatchObject({ op: 'deploy', outcome: 'rejected', code: 'validation_failed', issues: [{ field: 'runtime.replicas' }] });
    expect(byLine.get(6)!.message).toMatch(/^line 6: runtime\.replicas: /);
    expect(byLine.get(7)).toMatchObject({ outcome: 'rejected', code: 'validation_failed', message: 'line 7: colour: unknown field' });
    expect(byLine.get(8)).toMatchObject({ outcome: 'rejected', code: 'validation_failed', issues: [{ field: 'deploymentId' }] });
    expect(byLine.get(8)!.message).toMatch(/^line 8: deploymentId: /);
    expect(byLine.get(9)).toMatchObject({ op: null, outcome: 'rejected', code: 'validation_failed', message: expect.stringMatching(/^line 9: must be a JSON object/) });
    expect(byLine.get(10)).toMatchObject({ outcome: 'rejected', code: 'validation_failed', issues: [{ field: 'workspace' }] });
    expect(byLine.get(11)).toMatchObject({ outcome: 'rejected', code: 'not_found', message: 'workspace nobody not found' });
    expect(byLine.get(12)).toMatchObject({ op: 'undo', outcome: 'rejected', code: 'not_found', message: 'project no-such-project not found' });
    expect(byLine.get(14)).toMatchObject({ outcome: 'rejected', code: 'validation_failed', issues: [{ field: 'reason' }] });
    expect(report.summary).toMatchObject({ total: 11, enqueued: 1, rejected: 10, dryRun: false });

    // Only line 3 wrote anything: one deployment and its operation, asked for by the script's line.
    const operations = await h.db.prisma.operation.findMany({ where: { projectId: project.id } });
    expect(operations).toHaveLength(1);
    expect(operations[0]).toMatchObject({ id: byLine.get(3)!.operationId, kind: 'deploy', requestedBy: 'script:backfill.jsonl:3' });
    expect(await h.db.prisma.deployment.count({ where: { projectId: project.id } })).toBe(1);
  });
});
