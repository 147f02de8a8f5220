import { createApiKey, ensureRootKey, generateApiKey, hashApiKey, revokeApiKey, RootKeyRevokedError, verifyApiKey } from '../../src/auth/api-key';
import { createTestDatabase, TestDatabase } from '../support/test-database';

describe('API keys and the root key', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('generates df_ keys of 32 base62 characters that do not repeat', () => {
    const keys = new Set(Array.from({ length: 200 }, generateApiKey));
    expect(keys.size).toBe(200);
    for (const key of keys) expect(key).toMatch(/^df_[0-9A-Za-z]{32}$/);
  });

  it('mints a root key once when none is configured, returning its plaintext only that first time', async () => {
    const first = await ensureRootKey(db.prisma);
    expect(first.created).toBe(true);
    expect(first.key).toMatch(/^df_/);
    expect(await ensureRootKey(db.prisma)).toEqual({ created: false });
    const rows = await db.prisma.apiKey.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ workspaceId: null, role: 'admin', hash: hashApiKey(first.key!), prefix: first.key!.slice(0, 10) });
    expect(JSON.stringify(rows)).not.toContain(first.key!.slice(10));
    expect((await verifyApiKey(db.prisma, first.key!))?.id).toBe(rows[0].id);
  });

  it('mints exactly one root key when several processes start at once', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => ensureRootKey(db.prisma)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await db.prisma.apiKey.count({ where: { workspaceId: null } })).toBe(1);
  });

  it('records a configured ROOT_API_KEY by its hash, once', async () => {
    const configured = 'my-operator-chosen-root-key-0123456789';
    expect(await ensureRootKey(db.prisma, configured)).toEqual({ created: true });
    expect(await ensureRootKey(db.prisma, configured)).toEqual({ created: false });
    const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { hash: hashApiKey(configured) } });
    expect(row).toMatchObject({ workspaceId: null, role: 'admin', prefix: configured.slice(0, 10) });
    expect(JSON.stringify(await db.prisma.apiKey.findMany())).not.toContain(configured);
  });

  it('mints a new root key when the only one was revoked', async () => {
    const first = await ensureRootKey(db.prisma);
    const row = await db.prisma.apiKey.findFirstOrThrow();
    await revokeApiKey(db.prisma, row.id);
    expect(await verifyApiKey(db.prisma, first.key!)).toBeNull();
    const second = await ensureRootKey(db.prisma);
    expect(second.created).toBe(true);
    expect(second.key).not.toBe(first.key);
  });

  it('refuses a configured ROOT_API_KEY that was revoked', async () => {
    const configured = 'revoked-root-key-value-abcdefghijkl';
    await ensureRootKey(db.prisma, configured);
    await revokeApiKey(db.prisma, (await db.prisma.apiKey.findFirstOrThrow()).id);
    await expect(ensureRootKey(db.prisma, configured)).rejects.toBeInstanceOf(RootKeyRevokedError);
  });

  it('verifies only issued, unrevoked keys', async () => {
    const ws = await db.prisma.workspace.create({ data: { id: 'ws_1', slug: 'acme', name: 'Acme' } });
    const { key, record } = await createApiKey(db.prisma, { workspaceId: ws.id, role: 'deployer', name: 'ci' });
    expect(record).toMatchObject({ workspaceId: ws.id, role: 'deployer', name: 'ci', prefix: key.slice(0, 10) });
    expect((await verifyApiKey(db.prisma, key))?.id).toBe(record.id);
    expect(await verifyApiKey(db.prisma, key.slice(0, -1))).toBeNull();
    expect(await verifyApiKey(db.prisma, '')).toBeNull();
    expect(await verifyApiKey(db.prisma, record.hash)).toBeNull();
    expect(await revokeApiKey(db.prisma, record.id)).toBe(true);
    expect(await revokeApiKey(db.prisma, record.id)).toBe(false);
    expect(await verifyApiKey(db.prisma, key)).toBeNull();
  });
});
