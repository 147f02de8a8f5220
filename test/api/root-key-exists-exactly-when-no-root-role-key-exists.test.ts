import { createApiKey, ensureRootKey, revokeApiKey } from '../../src/auth/api-key';
import { createTestDatabase, TestDatabase } from '../support/test-database';

// The root key is the key without a workspace and with role admin (what require-auth treats as root). Other keys
// without a workspace (platform viewer keys, `npm run platform-key`) open the dashboard but cannot create workspaces.
describe('root key bootstrap', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('mints the root key when only platform viewer keys exist', async () => {
    await createApiKey(db.prisma, { workspaceId: null, role: 'viewer', name: 'platform viewer' });
    const root = await ensureRootKey(db.prisma);
    expect(root.created).toBe(true);
    expect(root.key).toMatch(/^df_/);
    expect(await db.prisma.apiKey.count({ where: { workspaceId: null, role: 'admin', revokedAt: null } })).toBe(1);
  });

  it('mints none while a root-role key exists, and one again once it is revoked', async () => {
    const platformAdmin = await createApiKey(db.prisma, { workspaceId: null, role: 'admin', name: 'platform admin' });
    expect(await ensureRootKey(db.prisma)).toEqual({ created: false });
    await revokeApiKey(db.prisma, platformAdmin.record.id);
    const again = await ensureRootKey(db.prisma);
    expect(again.created).toBe(true);
    expect(await ensureRootKey(db.prisma)).toEqual({ created: false });
  });
});
