import { createApiKey } from '../../src/auth/api-key';
import { KeyUseRecorder, LAST_USED_RESOLUTION_MS } from '../../src/auth/key-use';
import { createTestDatabase, TestDatabase } from '../support/test-database';

describe('lastUsedAt', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  const read = async (id: string) => (await db.prisma.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt;

  it('is written on first use, not again within the minute, and again once the minute has passed', async () => {
    const { record } = await createApiKey(db.prisma, { workspaceId: null, role: 'viewer' });
    const recorder = new KeyUseRecorder(db.prisma);
    const t0 = new Date('2030-01-01T00:00:00.000Z');
    expect(await recorder.record(record, t0)).toBe(true);
    expect(await read(record.id)).toEqual(t0);

    // The same request row (lastUsedAt still null as read before the write) within the minute: no write.
    expect(await recorder.record(record, new Date(t0.getTime() + 30_000))).toBe(false);
    expect(await read(record.id)).toEqual(t0);

    const t1 = new Date(t0.getTime() + LAST_USED_RESOLUTION_MS + 1);
    expect(await recorder.record({ id: record.id, lastUsedAt: t0 }, t1)).toBe(true);
    expect(await read(record.id)).toEqual(t1);
  });

  it('is written once a minute across processes: a second process finding it fresh in the row writes nothing', async () => {
    const { record } = await createApiKey(db.prisma, { workspaceId: null, role: 'viewer' });
    const t0 = new Date('2030-02-01T00:00:00.000Z');
    const [a, b] = [new KeyUseRecorder(db.prisma), new KeyUseRecorder(db.prisma)];
    // Both read the row before either wrote (lastUsedAt null): only one conditional update lands.
    const results = await Promise.all([a.record(record, t0), b.record(record, new Date(t0.getTime() + 5))]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const written = await read(record.id);
    await expect(b.record({ id: record.id, lastUsedAt: written }, new Date(t0.getTime() + 20_000))).resolves.toBe(false);
  });

  it('costs no database round trip for a burst of requests within the minute', async () => {
    const { record } = await createApiKey(db.prisma, { workspaceId: null, role: 'viewer' });
    let writes = 0;
    const counting = { apiKey: { updateMany: async (args: Parameters<typeof db.prisma.apiKey.updateMany>[0]) => (writes++, db.prisma.apiKey.updateMany(args)) } };
    const recorder = new KeyUseRecorder(counting as unknown as typeof db.prisma);
    const t0 = Date.parse('2030-03-01T00:00:00.000Z');
    for (let i = 0; i < 100; i++) await recorder.record(record, new Date(t0 + i * 100));
    expect(writes).toBe(1);
  });
});
