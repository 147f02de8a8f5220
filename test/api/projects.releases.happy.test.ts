import { createProject } from './support/deployments';
import { seedRelease } from './support/releases';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/projects/:id/releases/:releaseId, POST …/advance and …/abort (happy)', () => {
  const { h, acme } = useApiHarness(['acme']);
  let projectId: string;
  beforeAll(async () => {
    projectId = (await createProject(h, acme.admin, 'shop')).id;
  });

  it('shows a running release: stage, weights, policy and the figures of both sides', async () => {
    const { release, stable, canary } = await seedRelease(h.db.prisma, { projectId });
    const res = await h.call('GET', `/v1/projects/shop/releases/${release.id}`, { key: acme.viewer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: release.id,
      state: 'running',
      environment: 'production',
      stableDeploymentId: stable.id,
      canaryDeploymentId: canary.id,
      stage: 0,
      weight: 10,
      weights: { canary: 10, stable: 90 },
      awaitingAdvance: false,
      policy: { advance: 'manual', stages: [{ weight: 10 }, { weight: 50 }, { weight: 100 }] },
      stages: [],
      tripped: null,
      endedAt: null,
    });
    expect(res.body.current).toMatchObject({ canary: { requests: expect.any(Number) }, stable: { requests: expect.any(Number) } });
  });

  it('advance records the weight change of the next stage as an operation of its own; asking twice is one operation', async () => {
    const { release, canary } = await seedRelease(h.db.prisma, { projectId });
    const first = await h.call('POST', `/v1/projects/shop/releases/${release.id}/advance`, { key: acme.deployer });
    expect(first.status).toBe(202);
    expect(first.headers.get('location')).toBe(`/v1/operations/${first.body.operationId}`);
    const op = await h.db.prisma.operation.findUniqueOrThrow({ where: { id: first.body.operationId } });
    expect(op).toMatchObject({ kind: 'canary_weight', releaseId: release.id, deploymentId: canary.id, canaryWeight: 50 });
    const again = await h.call('POST', `/v1/projects/${projectId}/releases/${release.id}/advance`, { key: acme.admin });
    expect(again.status).toBe(202);
    expect(again.body.operationId).toBe(first.body.operationId);
  });

  it('abort records weight 0 with the reason, keeps the first reason, and answers the same operation again', async () => {
    const { release } = await seedRelease(h.db.prisma, { projectId });
    const res = await h.call('POST', `/v1/projects/shop/releases/${release.id}/abort`, { key: acme.deployer, body: { reason: 'p99 looks off' } });
    expect(res.status).toBe(202);
    const op = await h.db.prisma.operation.findUniqueOrThrow({ where: { id: res.body.operationId } });
    expect(op).toMatchObject({ kind: 'canary_weight', releaseId: release.id, canaryWeight: 0 });
    const row = await h.db.prisma.release.findUniqueOrThrow({ where: { id: release.id } });
    expect(row.endRequested).toMatchObject({ kind: 'abort', reason: expect.stringContaining('p99 looks off') });
    const again = await h.call('POST', `/v1/projects/shop/releases/${release.id}/abort`, { key: acme.admin, body: { reason: 'other' } });
    expect(again.body.operationId).toBe(res.body.operationId);
    expect((await h.db.prisma.release.findUniqueOrThrow({ where: { id: release.id } })).endRequested).toMatchObject({ reason: expect.stringContaining('p99 looks off') });
  });
});
