import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/projects (happy path)', () => {
  const { h, acme } = useApiHarness(['acme']);
  const created: string[] = [];
  beforeAll(async () => {
    for (let i = 1; i <= 5; i++) {
      const res = await h.call('POST', '/v1/projects', { key: acme.admin, body: { slug: `p${i}`, name: `Project ${i}` } });
      created.push(res.body.id);
    }
  });

  it('lists newest first with environments', async () => {
    const res = await h.call('GET', '/v1/projects', { key: acme.viewer });
    expect(res.status).toBe(200);
    expect(res.body.data.map((p: { slug: string }) => p.slug)).toEqual(['p5', 'p4', 'p3', 'p2', 'p1']);
    expect(res.body.data[0].environments).toHaveLength(2);
    expect(res.body.nextCursor).toBeNull();
  });

  it('pages with a cursor until the last page, visiting every project once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const res = await h.call('GET', `/v1/projects${query}`, { key: acme.deployer });
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((p: { id: string }) => p.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...created].reverse());
  });

  it('does not shift pages when a project is created between requests', async () => {
    const first = await h.call('GET', '/v1/projects?limit=2', { key: acme.admin });
    const extra = await h.call('POST', '/v1/projects', { key: acme.admin, body: { slug: 'p6', name: 'Project 6' } });
    const second = await h.call('GET', `/v1/projects?limit=2&cursor=${first.body.nextCursor}`, { key: acme.admin });
    expect(second.body.data.map((p: { slug: string }) => p.slug)).toEqual(['p3', 'p2']);
    await h.db.prisma.project.delete({ where: { id: extra.body.id } });
  });

  it("shows only the caller's workspace", async () => {
    const globex = await h.workspace('globex');
    const res = await h.call('GET', '/v1/projects', { key: globex.admin });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [], nextCursor: null });
  });
});
