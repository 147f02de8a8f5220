import { newId } from '../../src/ids';
import { createProject, seedDeployment, seedOperation } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/operations/:id (happy path)', () => {
  const { h, acme } = useApiHarness(['acme']);
  let projectId: string;
  beforeAll(async () => {
    projectId = (await createProject(h, acme.admin, 'shop')).id;
  });

  const step = (ownerId: string, name: string, position: number, status: 'succeeded' | 'failed' | 'skipped' | 'pending', extra: { error?: string; output?: string } = {}) =>
    h.db.prisma.deploymentStep.create({ data: { id: newId('stp'), ownerId, name, position, status, attempts: status === 'pending' ? 0 : 1, ...extra } });

  it('shows a failed rollback with its error, reason and step timeline in order', async () => {
    const target = await seedDeployment(h.db.prisma, { projectId });
    const op = await seedOperation(h.db.prisma, {
      projectId,
      kind: 'rollback',
      deploymentId: target.id,
      sourceDeploymentId: 'dep_source',
      reason: 'bad release',
      state: 'failed',
      errorCode: 'no_running_instances',
      errorMessage: 'check-instances: no running instances',
      startedAt: new Date(),
      finishedAt: new Date(),
    });
    await step(op.id, 'switch-routes', 2, 'skipped');
    await step(op.id, 'validate', 0, 'succeeded', { output: 'target ready' });
    await step(op.id, 'check-instances', 1, 'failed', { error: 'no running instances' });

    const res = await h.call('GET', `/v1/operations/${op.id}`, { key: acme.viewer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: op.id,
      kind: 'rollback',
      state: 'failed',
      projectId,
      deploymentId: target.id,
      sourceDeploymentId: 'dep_source',
      reason: 'bad release',
      requestedBy: 'key_seed',
      error: { code: 'no_running_instances', message: 'check-instances: no running instances' },
      result: null,
    });
    expect(res.body.steps.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([
      ['validate', 'succeeded'],
      ['check-instances', 'failed'],
      ['switch-routes', 'skipped'],
    ]);
    expect(res.body.steps[1].error).toBe('no running instances');
    expect(res.body.steps[0].output).toBe('target ready');
  });

  it("shows a deploy operation with its deployment's steps and its result", async () => {
    const d = await seedDeployment(h.db.prisma, { projectId });
    const op = await seedOperation(h.db.prisma, { projectId, kind: 'deploy', deploymentId: d.id, state: 'succeeded', result: { status: 'ready', liveDeploymentId: d.id, pinned: false } });
    await step(d.id, 'fetch-metadata', 0, 'succeeded');
    const res = await h.call('GET', `/v1/operations/${op.id}`, { key: acme.viewer });
    expect(res.body).toMatchObject({ kind: 'deploy', state: 'succeeded', error: null, result: { status: 'ready', liveDeploymentId: d.id, pinned: false } });
    expect(res.body.steps.map((s: { name: string }) => s.name)).toEqual(['fetch-metadata']);
  });

  it('with ?wait holds the request until the operation finishes, then answers its final state', async () => {
    const op = await seedOperation(h.db.prisma, { projectId, kind: 'undo', state: 'running' });
    const pending = h.call('GET', `/v1/operations/${op.id}?wait=20`, { key: acme.viewer });
    // Whoever runs the flow finishes it: here, a write to the row while the request waits.
    const finish = new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        // A Prisma query runs only once awaited.
        h.db.prisma.operation
          .update({ where: { id: op.id }, data: { state: 'succeeded', finishedAt: new Date(), result: { liveDeploymentId: null } } })
          .then(() => resolve(), reject);
      }, 300);
    });
    const [res] = await Promise.all([pending, finish]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: op.id, state: 'succeeded', result: { liveDeploymentId: null } });
  });

  it('with ?wait=0 answers at once with the current state', async () => {
    const op = await seedOperation(h.db.prisma, { projectId, kind: 'promote', state: 'queued' });
    const res = await h.call('GET', `/v1/operations/${op.id}?wait=0`, { key: acme.viewer });
    expect(res.body.state).toBe('queued');
  });
});
