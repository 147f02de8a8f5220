import { ApiHarness, startApiHarness, WorkspaceKeys } from './support/api-harness';

const LIMIT = { RATE_LIMIT_REQUESTS: '5', RATE_LIMIT_WINDOW_SECONDS: '60' };

describe('per-key rate limits', () => {
  let a: ApiHarness;
  let b: ApiHarness;
  let acme: WorkspaceKeys;
  beforeAll(async () => {
    a = await startApiHarness({ env: LIMIT });
    // A second API process on the same database and Redis (same key prefix).
    b = await startApiHarness({ env: { ...LIMIT, QUEUE_PREFIX: a.ctx.config.QUEUE_PREFIX }, db: a.db });
    acme = await a.workspace('acme');
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('counts each key across every API process, says what remains, and answers 429 with Retry-After past the limit', async () => {
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await (i % 2 === 0 ? a : b).call('GET', '/v1/projects', { key: acme.viewer });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-policy')).toBe('"per-key";q=5;w=60');
      remaining.push(res.headers.get('ratelimit')!);
    }
    expect(remaining.map((h) => /;r=(\d+);/.exec(h)![1])).toEqual(['4', '3', '2', '1', '0']);
    for (const h of remaining) expect(h).toMatch(/^"per-key";r=\d+;t=(\d|[1-5]\d|60)$/);

    const refused = await a.call('GET', '/v1/projects', { key: acme.viewer });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'rate_limited', details: { limit: 5, windowSeconds: 60 } });
    expect(refused.body.error.requestId).toBe(refused.headers.get('x-request-id'));
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit')).toBe(`"per-key";r=0;t=${retryAfter}`);
    expect((await b.call('GET', '/v1/projects', { key: acme.viewer })).status).toBe(429);
  });

  it('limits a key without touching the others, and refuses a write past the limit without doing it', async () => {
    expect((await a.call('GET', '/v1/projects', { key: acme.deployer })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await a.call('GET', '/v1/projects', { key: acme.admin })).status).toBe(200);
    const refused = await a.call('POST', '/v1/projects', { key: acme.admin, body: { slug: 'late', name: 'Late' } });
    expect(refused.status).toBe(429);
    expect(await a.db.prisma.project.count({ where: { slug: 'late' } })).toBe(0);
  });

  it('does not limit public routes or requests without a valid key', async () => {
    for (let i = 0; i < 8; i++) expect((await a.call('GET', '/healthz')).status).toBe(200);
    const res = await a.call('GET', '/healthz');
    expect(res.headers.get('ratelimit')).toBeNull();
  });

  it('is off with RATE_LIMIT_REQUESTS=0', async () => {
    const off = await startApiHarness({ env: { RATE_LIMIT_REQUESTS: '0' }, db: a.db });
    try {
      for (let i = 0; i < 8; i++) {
        const res = await off.call('GET', '/v1/projects', { key: acme.viewer });
        expect(res.status).toBe(200);
        expect(res.headers.get('ratelimit')).toBeNull();
      }
    } finally {
      await off.close();
    }
  });
});
