import { createProject } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/projects/:id/release-policy (happy)', () => {
  const { h, acme } = useApiHarness(['acme']);
  let projectId: string;
  beforeAll(async () => {
    projectId = (await createProject(h, acme.admin, 'shop')).id;
  });

  it('stores a staged policy for production, with the defaults filled in', async () => {
    const res = await h.call('POST', '/v1/projects/shop/release-policy', {
      key: acme.deployer,
      body: { stages: [{ weight: 5, durationSeconds: 120 }, { weight: 25, durationSeconds: 300 }, { weight: 100 }] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      projectId,
      environment: 'production',
      stages: [{ weight: 5, durationSeconds: 120 }, { weight: 25, durationSeconds: 300 }, { weight: 100 }],
      advance: 'automatic',
      maxErrorRateIncreasePoints: 5,
      maxP95IncreasePercent: 50,
      minP95IncreaseMs: 10,
      minRequests: 20,
      judgeWindowSeconds: 1,
      healthWatchSeconds: null,
    });
    const row = await h.db.prisma.releasePolicy.findFirstOrThrow({ where: { projectId }, include: { environment: true } });
    expect(row.environment.slug).toBe('production');
  });

  it('replaces the policy on a second POST (one policy per environment)', async () => {
    const res = await h.call('POST', `/v1/projects/${projectId}/release-policy`, {
      key: acme.admin,
      body: { stages: [{ weight: 50, durationSeconds: 10 }, { weight: 100 }], advance: 'manual', maxErrorRateIncreasePoints: 2.5, minRequests: 5, judgeWindowSeconds: 2, healthWatchSeconds: 60 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stages: [{ weight: 50, durationSeconds: 10 }, { weight: 100 }], advance: 'manual', maxErrorRateIncreasePoints: 2.5, minRequests: 5, judgeWindowSeconds: 2, healthWatchSeconds: 60 });
    expect(await h.db.prisma.releasePolicy.count({ where: { projectId } })).toBe(1);
  });

  it('DELETE removes it, and a second DELETE is a 404', async () => {
    const res = await h.call('DELETE', '/v1/projects/shop/release-policy', { key: acme.deployer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ deleted: true, policy: { advance: 'manual' } });
    expect(await h.db.prisma.releasePolicy.count({ where: { projectId } })).toBe(0);
    expect((await h.call('DELETE', '/v1/projects/shop/release-policy', { key: acme.deployer })).status).toBe(404);
  });
});
