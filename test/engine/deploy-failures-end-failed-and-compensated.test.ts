import { eventually } from '../support/http-get';
import { seedProject } from '../support/seed';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a deploy that cannot become healthy', () => {
  let h: EngineHarness;
  let workspaceId: string;
  beforeAll(async () => {
    h = await startEngineHarness({ settings: { pollDeadlineMs: 1_500 } });
    workspaceId = (await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' })).workspace.id;
  });
  afterAll(async () => h.close());

  async function expectFailedAt(deploymentId: string, operationId: string, step: string, reason: RegExp) {
    const op = await h.waitForOperation(operationId);
    expect(op.state).toBe('failed');
    const d = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
    expect(d.status).toBe('failed');
    expect(d.failedStep).toBe(step);
    expect(d.statusReason).toMatch(reason);
    const row = await h.db.prisma.deploymentStep.findUniqueOrThrow({ where: { ownerId_name: { ownerId: deploymentId, name: step } } });
    expect(row.status).toBe('failed');
    const later = await h.db.prisma.deploymentStep.findMany({ where: { ownerId: deploymentId, position: { gt: row.position, lt: 100 } } });
    expect(later.every((s) => s.status === 'skipped')).toBe(true);
    // Compensation deletes the Krane deployment: no process of it survives.
    await eventually(async () => {
      const c = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
      if (!c.compensatedAt) throw new Error('not compensated yet');
    }, 15_000);
    expect(await h.krane.client.get('acme', deploymentId)).toEqual([]);
    expect(await h.db.prisma.ingressRoute.count({ where: { deploymentId } })).toBe(0);
  }

  it('health check never passes: fails at poll-instances after the deadline and its processes are gone', async () => {
    const { deploymentId, operationId } = await h.deploy({ projectId: 'shop', image: HELLO_API, runtime: { replicas: 2, env: { FAIL_HEALTH: '1' } } }, workspaceId);
    const pids = await eventually(async () => {
      const p = Object.values(await h.krane.driver.pids('acme', deploymentId).catch(() => ({})));
      if (p.length !== 2) throw new Error('not started');
      return p;
    });
    await expectFailedAt(deploymentId, operationId, 'poll-instances', /0 of 2 instance\(s\) running/);
    await eventually(async () => {
      if (pids.some(alive)) throw new Error('instance process still alive');
    });
  });

  it('health answer too large to read: Krane runs the instance, and the deploy fails at the deadline saying why', async () => {
    const { deploymentId, operationId } = await h.deploy({ projectId: 'shop', image: HELLO_API, runtime: { env: { HEALTH_PADDING_BYTES: '100000' } } }, workspaceId);
    await expectFailedAt(deploymentId, operationId, 'poll-instances', /^poll-instances: 1 of 1 instance\(s\) running and 0 healthy after \d+ s \(deadline 2 s\); last health check: \/healthz: response exceeds 65536 bytes \(Content-Length 100028\)$/);
  });

  it('app crashes at start: fails at poll-instances the same way', async () => {
    const { deploymentId, operationId } = await h.deploy({ projectId: 'shop', image: HELLO_API, runtime: { env: { CRASH_ON_START: '1' } } }, workspaceId);
    await expectFailedAt(deploymentId, operationId, 'poll-instances', /0 of 1 instance\(s\) running/);
  });

  it('unknown image: fails at create-in-krane without retrying', async () => {
    const { deploymentId, operationId } = await h.deploy({ projectId: 'shop', image: 'file:examples/does-not-exist' }, workspaceId);
    await expectFailedAt(deploymentId, operationId, 'create-in-krane', /does-not-exist/);
    const row = await h.db.prisma.deploymentStep.findUniqueOrThrow({ where: { ownerId_name: { ownerId: deploymentId, name: 'create-in-krane' } } });
    expect(row.attempts).toBe(1);
  });
});
