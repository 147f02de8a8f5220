import { createProject, seedRouteChange } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/projects/:id/route-changes (happy path)', () => {
  const { h, acme } = useApiHarness(['acme']);
  let projectId: string;
  beforeAll(async () => {
    projectId = (await createProject(h, acme.admin, 'shop')).id;
    const host = 'shop-acme.deploy.localhost';
    await seedRouteChange(h.db.prisma, { projectId, sequence: 1, kind: 'deploy', moves: [{ hostname: host, from: null, to: 'dep_a' }], liveTo: 'dep_a' });
    await seedRouteChange(h.db.prisma, { projectId, sequence: 2, kind: 'deploy', moves: [{ hostname: host, from: 'dep_a', to: 'dep_b' }], liveFrom: 'dep_a', liveTo: 'dep_b' });
    await seedRouteChange(h.db.prisma, { projectId, sequence: 3, kind: 'rollback', moves: [{ hostname: host, from: 'dep_b', to: 'dep_a' }], liveFrom: 'dep_b', liveTo: 'dep_a' });
    await seedRouteChange(h.db.prisma, { projectId, sequence: 4, kind: 'undo', moves: [{ hostname: host, from: 'dep_a', to: 'dep_b' }], liveFrom: 'dep_a', liveTo: 'dep_b' });
  });

  it('lists the routing history newest first, with what moved and the live pointer before and after', async () => {
    const res = await h.call('GET', '/v1/projects/shop/route-changes', { key: acme.viewer });
    expect(res.status).toBe(200);
    expect(res.body.data.map((c: { sequence: number; operationKind: string }) => [c.sequence, c.operationKind])).toEqual([
      [4, 'undo'],
      [3, 'rollback'],
      [2, 'deploy'],
      [1, 'deploy'],
    ]);
    expect(res.body.data[1]).toMatchObject({
      operationId: expect.stringMatching(/^op_/),
      changes: [{ hostname: 'shop-acme.deploy.localhost', sticky: 'live', fromDeploymentId: 'dep_b', toDeploymentId: 'dep_a' }],
      liveFrom: 'dep_b',
      liveTo: 'dep_a',
      notes: ['seeded #3'],
    });
    expect(res.body.nextCursor).toBeNull();
  });

  it('pages by sequence number', async () => {
    const first = await h.call('GET', `/v1/projects/${projectId}/route-changes?limit=3`, { key: acme.viewer });
    expect(first.body.data.map((c: { sequence: number }) => c.sequence)).toEqual([4, 3, 2]);
    expect(first.body.nextCursor).toBe('2');
    const second = await h.call('GET', `/v1/projects/${projectId}/route-changes?limit=3&cursor=${first.body.nextCursor}`, { key: acme.viewer });
    expect(second.body.data.map((c: { sequence: number }) => c.sequence)).toEqual([1]);
    expect(second.body.nextCursor).toBeNull();
  });
});
