import { WorkspaceKeys } from './support/api-harness';
import { useApiHarness } from './support/use-api-harness';

describe('Idempotency-Key on POST', () => {
  const { h } = useApiHarness([]);
  let acme: WorkspaceKeys;
  // Routes only this test needs: one that waits for the test's signal, one that fails its first call.
  let gate: Promise<void> = Promise.resolve();
  let flakyCalls = 0;
  beforeAll(async () => {
    h.app.post('/v1/test/slow', async (c) => {
      await gate;
      return c.json({ done: true }, 201);
    });
    h.app.post('/v1/test/flaky', (c) => {
      flakyCalls++;
      if (flakyCalls === 1) throw new Error('database password is hunter2');
      return c.json({ calls: flakyCalls }, 201);
    });
    acme = await h.workspace('acme');
  });

  const createProject = (slug: string, idempotencyKey: string, key = acme.admin) =>
    h.call('POST', '/v1/projects', { key, body: { slug, name: slug }, headers: { 'idempotency-key': idempotencyKey } });

  it('replays the first answer to a retry of the same request, creating nothing more', async () => {
    const first = await createProject('api', 'create-api-1');
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await createProject('api', 'create-api-1');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await h.db.prisma.project.count({ where: { slug: 'api' } })).toBe(1);
    const record = await h.db.prisma.idempotencyRecord.findFirstOrThrow({ where: { key: 'create-api-1' } });
    expect(record.status).toBe(201);
    expect(record.expiresAt.getTime() - Date.now()).toBeGreaterThan(23 * 60 * 60 * 1000);
  });

  it('answers 422 idempotency_key_reused when the key comes back with a different body', async () => {
    await createProject('web', 'create-web-1');
    const res = await createProject('other', 'create-web-1');
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('idempotency_key_reused');
    expect(await h.db.prisma.project.count({ where: { slug: 'other' } })).toBe(0);
  });

  it('answers 422 when the key comes back on a different path', async () => {
    await createProject('docs', 'shared-key');
    const res = await h.call('POST', '/v1/workspaces', { key: acme.admin, body: { slug: 'docs', name: 'docs' }, headers: { 'idempotency-key': 'shared-key' } });
    expect(res.status).toBe(422);
  });

  it('scopes keys to the API key: another key may use the same Idempotency-Key', async () => {
    await createProject('blog', 'per-key');
    const res = await createProject('shop', 'per-key', acme.deployer);
    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
  });

  it('answers 409 idempotency_in_progress while the first request with the key is still running', async () => {
    let release!: () => void;
    gate = new Promise<void>((resolve) => (release = resolve));
    const send = () => h.call('POST', '/v1/test/slow', { key: acme.admin, body: { n: 1 }, headers: { 'idempotency-key': 'in-flight' } });
    const first = send();
    // The first request has claimed the key once its placeholder row exists.
    while ((await h.db.prisma.idempotencyRecord.count({ where: { key: 'in-flight', status: 0 } })) === 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const second = await send();
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('idempotency_in_progress');
    release();
    expect((await first).status).toBe(201);
    const third = await send();
    expect(third.status).toBe(201);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
  });

  it('keeps no record of a 5xx, so the same key can be retried and run', async () => {
    const send = () => h.call('POST', '/v1/test/flaky', { key: acme.admin, body: { n: 1 }, headers: { 'idempotency-key': 'flaky-1' } });
    const failed = await send();
    expect(failed.status).toBe(500);
    expect(failed.body.error.code).toBe('internal');
    expect(failed.text).not.toContain('hunter2');
    expect(await h.db.prisma.idempotencyRecord.count({ where: { key: 'flaky-1' } })).toBe(0);
    const retried = await send();
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(retried.body).toEqual({ calls: 2 });
  });

  it('lets exactly one of many concurrent identical requests run', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => createProject('race', 'race-1')));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const fresh = results.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === null);
    expect(fresh).toHaveLength(1);
    expect(await h.db.prisma.project.count({ where: { slug: 'race' } })).toBe(1);
  });

  it('takes over a key whose request died in flight once its claim expired', async () => {
    await h.db.prisma.idempotencyRecord.create({
      data: { key: 'abandoned', apiKeyId: await keyId(acme.admin), requestHash: 'x', status: 0, response: {}, expiresAt: new Date(Date.now() - 1000) },
    });
    const res = await createProject('phoenix', 'abandoned');
    expect(res.status).toBe(201);
  });

  it('keeps 4xx answers: a retry of an invalid request replays the same 400', async () => {
    const bad = () => h.call('POST', '/v1/projects', { key: acme.admin, body: { slug: 'BAD' }, headers: { 'idempotency-key': 'bad-1' } });
    const first = await bad();
    expect(first.status).toBe(400);
    const again = await bad();
    expect(again.status).toBe(400);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it('keeps no record of requests rejected before they ran (auth)', async () => {
    const before = await h.db.prisma.idempotencyRecord.count();
    await h.call('POST', '/v1/projects', { key: 'df_nope', body: { slug: 'x', name: 'x' }, headers: { 'idempotency-key': 'unauth' } });
    expect(await h.db.prisma.idempotencyRecord.count()).toBe(before);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['non-ASCII', 'clé-ünïcode'],
  ])('rejects an Idempotency-Key that is %s with 400', async (_what, value) => {
    const res = await h.call('POST', '/v1/projects', { key: acme.admin, body: { slug: 'never', name: 'never' }, headers: { 'idempotency-key': value } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_idempotency_key');
    expect(await h.db.prisma.project.count({ where: { slug: 'never' } })).toBe(0);
  });

  it('accepts a key of exactly 255 printable characters', async () => {
    const res = await createProject('edge', '~'.repeat(255));
    expect(res.status).toBe(201);
  });

  it('replays a new workspace’s API key to the same caller, though the stored record holds no usable key', async () => {
    const post = () => h.call('POST', '/v1/workspaces', { key: h.rootKey, body: { slug: 'sealed', name: 'Sealed' }, headers: { 'idempotency-key': 'ws-1' } });
    const first = await post();
    const again = await post();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.apiKey.key).toBe(first.body.apiKey.key);
    const record = await h.db.prisma.idempotencyRecord.findFirstOrThrow({ where: { key: 'ws-1' } });
    expect(JSON.stringify(record)).not.toContain(first.body.apiKey.key);
  });

  async function keyId(key: string): Promise<string> {
    const { hashApiKey } = await import('../../src/auth/api-key');
    return (await h.db.prisma.apiKey.findUniqueOrThrow({ where: { hash: hashApiKey(key) } })).id;
  }
});
