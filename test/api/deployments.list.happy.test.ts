import { createProject, seedDeployment } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/deployments (happy path)', () => {
  const { h, acme } = useApiHarness(['acme']);
  let shop: string;
  let blog: string;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    shop = (await createProject(h, acme.admin, 'shop')).id;
    blog = (await createProject(h, acme.admin, 'blog')).id;
    // Created in this order, so ids (and "newest first") follow it.
    ids.shopOld = (await seedDeployment(h.db.prisma, { projectId: shop, status: 'failed' })).id;
    ids.shopLive = (await seedDeployment(h.db.prisma, { projectId: shop, status: 'ready', live: true, env: { API_TOKEN: 'tok-secret' } })).id;
    ids.shopPreview = (await seedDeployment(h.db.prisma, { projectId: shop, environment: 'preview', status: 'ready' })).id;
    ids.blog = (await seedDeployment(h.db.prisma, { projectId: blog, status: 'deploying' })).id;
  });

  const list = async (query = '') => {
    const res = await h.call('GET', `/v1/deployments${query}`, { key: acme.viewer });
    expect(res.status).toBe(200);
    return res.body as { data: Array<{ id: string; status: string; environment: string; isLive: boolean; runtime: { envNames: string[] } }>; nextCursor: string | null };
  };

  it("lists the workspace's deployments newest first, with env names but never env values", async () => {
    const res = await h.call('GET', '/v1/deployments', { key: acme.viewer });
    expect(res.body.data.map((d: { id: string }) => d.id)).toEqual([ids.blog, ids.shopPreview, ids.shopLive, ids.shopOld]);
    expect(res.body.nextCursor).toBeNull();
    const live = res.body.data.find((d: { id: string }) => d.id === ids.shopLive);
    expect(live).toMatchObject({ projectId: shop, environment: 'production', status: 'ready', isLive: true, runtime: { envNames: ['API_TOKEN'] } });
    expect(res.text).not.toContain('tok-secret');
  });

  it('filters by project (slug or id), environment and status', async () => {
    expect((await list('?projectId=shop')).data.map((d) => d.id)).toEqual([ids.shopPreview, ids.shopLive, ids.shopOld]);
    expect((await list(`?projectId=${blog}`)).data.map((d) => d.id)).toEqual([ids.blog]);
    expect((await list('?projectId=shop&environment=preview')).data.map((d) => d.id)).toEqual([ids.shopPreview]);
    expect((await list('?environment=production&status=ready')).data.map((d) => d.id)).toEqual([ids.shopLive]);
    expect((await list('?status=failed')).data.map((d) => d.id)).toEqual([ids.shopOld]);
    expect((await list('?status=cancelled')).data).toEqual([]);
  });

  it('pages with a cursor without repeating or skipping, even when deployments are added meanwhile', async () => {
    const first = await list('?limit=3');
    expect(first.data.map((d) => d.id)).toEqual([ids.blog, ids.shopPreview, ids.shopLive]);
    expect(first.nextCursor).toBe(ids.shopLive);
    await seedDeployment(h.db.prisma, { projectId: shop });
    const second = await list(`?limit=3&cursor=${first.nextCursor}`);
    expect(second.data.map((d) => d.id)).toEqual([ids.shopOld]);
    expect(second.nextCursor).toBeNull();
  });
});
