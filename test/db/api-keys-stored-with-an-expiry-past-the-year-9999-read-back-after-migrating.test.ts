import { Client } from 'pg';
import { applyMigrations, readMigrations } from '../../src/db/migrator';
import { pgRunner } from '../../src/db/sql-runner';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const MIGRATION = '20261130000000_api_key_expiry_at_most_year_9999';

describe('a key stored with an expiry past the year 9999 (before POST /v1/keys refused one)', () => {
  let db: TestDatabase;
  let client: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  it('reads back as the latest expiry a key can have once the migration ran, and other keys keep theirs', async () => {
    await db.prisma.workspace.create({ data: { id: 'ws_1', slug: 'acme', name: 'Acme' } });
    const key = (id: string, expiresAt: string | null) =>
      client.query(`INSERT INTO "ApiKey" ("id", "workspaceId", "hash", "prefix", "role", "expiresAt") VALUES ($1, 'ws_1', $1, 'df_x', 'viewer', $2)`, [id, expiresAt]);
    // What the API stored for "9999-12-31T23:59:59-00:01".
    await key('key_far', '10000-01-01 00:00:59');
    await key('key_year_9999', '9999-06-01 00:00:00');
    await key('key_never', null);
    const read = () => db.prisma.apiKey.findMany({ orderBy: { id: 'asc' }, select: { id: true, expiresAt: true } });
    // The bug: the stored timestamp is no date once read.
    expect(Number.isNaN((await read()).find((k) => k.id === 'key_far')!.expiresAt!.getTime())).toBe(true);

    // The template database had the migration applied already: run it again as an older database would.
    await client.query(`DELETE FROM "_prisma_migrations" WHERE "migration_name" = $1`, [MIGRATION]);
    expect(await applyMigrations(pgRunner(client), readMigrations())).toEqual([MIGRATION]);

    expect((await read()).map((k) => [k.id, k.expiresAt?.toISOString() ?? null])).toEqual([
      ['key_far', '9999-12-31T23:59:59.999Z'],
      ['key_never', null],
      ['key_year_9999', '9999-06-01T00:00:00.000Z'],
    ]);
  });
});
