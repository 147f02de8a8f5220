import { Client } from 'pg';
import { applyMigrations, readMigrations } from '../../src/db/migrator';
import { pgRunner } from '../../src/db/sql-runner';
import { createTestDatabase, TestDatabase } from '../support/test-database';

describe('migrator', () => {
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

  it('records every migration in _prisma_migrations with its checksum and applies nothing twice', async () => {
    const rows = (await client.query('SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name')).rows;
    const files = readMigrations();
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((m) => m.name));
    expect(rows.map((r) => r.checksum)).toEqual(files.map((m) => m.checksum));
    expect(rows.every((r) => r.finished_at)).toBe(true);
    expect(await applyMigrations(pgRunner(client))).toEqual([]);
  });

  it('refuses to run when an applied migration file was edited', async () => {
    const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'x'.repeat(64) } : m));
    await expect(applyMigrations(pgRunner(client), edited)).rejects.toThrow(/was modified after it was applied/);
  });

  it('rolls back a failing migration and records nothing for it', async () => {
    const broken = [...readMigrations(), { name: '99999999999999_broken', sql: 'CREATE TABLE ok_table (id int); SELECT nope FROM nowhere;', checksum: 'b'.repeat(64) }];
    await expect(applyMigrations(pgRunner(client), broken)).rejects.toThrow(/99999999999999_broken failed/);
    const table = await client.query(`SELECT to_regclass('ok_table') AS t`);
    expect(table.rows[0].t).toBeNull();
    const recorded = await client.query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '99999999999999_broken'`);
    expect(recorded.rowCount).toBe(0);
  });

  it('enforces the unique constraints routing relies on', async () => {
    await db.prisma.workspace.create({ data: { id: 'ws_1', slug: 'acme', name: 'Acme' } });
    await db.prisma.project.create({ data: { id: 'prj_1', workspaceId: 'ws_1', slug: 'api', name: 'API' } });
    await expect(db.prisma.project.create({ data: { id: 'prj_2', workspaceId: 'ws_1', slug: 'api', name: 'API 2' } })).rejects.toThrow();
    await db.prisma.environment.create({ data: { id: 'env_1', projectId: 'prj_1', slug: 'production', isProduction: true } });
    await db.prisma.ingressRoute.create({
      data: { id: 'r1', hostname: 'api-acme.deploy.localhost', projectId: 'prj_1', environmentId: 'env_1', deploymentId: 'dep_1', sticky: 'live' },
    });
    await expect(
      db.prisma.ingressRoute.create({
        data: { id: 'r2', hostname: 'api-acme.deploy.localhost', projectId: 'prj_1', environmentId: 'env_1', deploymentId: 'dep_2', sticky: 'live' },
      }),
    ).rejects.toThrow();
    await db.prisma.deploymentStep.create({ data: { id: 's1', ownerId: 'dep_1', name: 'fetch-metadata' } });
    await expect(db.prisma.deploymentStep.create({ data: { id: 's2', ownerId: 'dep_1', name: 'fetch-metadata' } })).rejects.toThrow();
  });

  // POST /v1/keys accepted such an expiry before it checked the bound: it is stored, but reads back as no date.
  it('gives a key stored with an expiry past the year 9999 in UTC the latest expiry the API accepts; other keys keep theirs', async () => {
    const migration = '20261130000000_api_key_expiry_at_most_year_9999';
    await db.prisma.workspace.create({ data: { id: 'ws_keys', slug: 'keys', name: 'Keys' } });
    const key = (id: string, expiresAt: string | null) =>
      client.query(`INSERT INTO "ApiKey" ("id", "workspaceId", "hash", "prefix", "role", "expiresAt") VALUES ($1, 'ws_keys', $1, 'df_x', 'viewer', $2)`, [id, expiresAt]);
    await key('key_far', '10000-01-01 00:00:59'); // what "9999-12-31T23:59:59-00:01" was stored as
    await key('key_year_9999', '9999-06-01 00:00:00');
    await key('key_never', null);
    const read = () => db.prisma.apiKey.findMany({ where: { workspaceId: 'ws_keys' }, orderBy: { id: 'asc' }, select: { id: true, expiresAt: true } });
    expect(Number.isNaN((await read()).find((k) => k.id === 'key_far')!.expiresAt!.getTime())).toBe(true);

    // The template database had the migration applied already: run it again as an older database would.
    await client.query(`DELETE FROM "_prisma_migrations" WHERE "migration_name" = $1`, [migration]);
    expect(await applyMigrations(pgRunner(client))).toEqual([migration]);

    expect((await read()).map((k) => [k.id, k.expiresAt?.toISOString() ?? null])).toEqual([
      ['key_far', '9999-12-31T23:59:59.999Z'],
      ['key_never', null],
      ['key_year_9999', '9999-06-01T00:00:00.000Z'],
    ]);
  });
});
