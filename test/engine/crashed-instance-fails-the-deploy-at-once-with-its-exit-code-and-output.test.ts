import { seedProject } from '../support/seed';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';

describe('an instance that exits by itself while its deploy polls', () => {
  let h: EngineHarness;
  let workspaceId: string;
  beforeAll(async () => {
    // A deadline far beyond the test's: only a deploy that gives up when the instance exits can finish in time.
    h = await startEngineHarness({ settings: { pollDeadlineMs: 120_000 } });
    workspaceId = (await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' })).workspace.id;
  });
  afterAll(async () => h.close());

  it('fails poll-instances without waiting for the deadline, naming the exit code and the last output', async () => {
    const started = Date.now();
    const { deploymentId, operationId } = await h.deploy({ projectId: 'shop', image: HELLO_API, runtime: { env: { CRASH_ON_START: '1' } } }, workspaceId);
    const op = await h.waitForOperation(operationId, 30_000);
    expect(op.state).toBe('failed');
    expect(op.errorCode).toBe('instance_exited');
    const d = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
    expect(d.failedStep).toBe('poll-instances');
    expect(d.statusReason).toMatch(/^poll-instances: 0 of 1 instance\(s\) running: instance dep_\S+ exited with code 1; last output:\n/);
    expect(d.statusReason).toContain('hello-api: CRASH_ON_START=1, exiting');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
