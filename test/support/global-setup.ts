import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { applyMigrations } from '../../src/db/migrator';
import { pgRunner } from '../../src/db/sql-runner';
import { startPostgresServer } from '../../src/services/postgres-server';
import { startRedisServer } from '../../src/services/redis-server';
import { guardAgainstOrphans } from './orphan-guard';
import { TEMPLATE_DATABASE, TestServices } from './services-file';

/**
 * Starts one throwaway redis-server and one PostgreSQL for the whole run. Each test file then gets its own
 * database (cloned from a migrated template) and its own Redis key prefix: see test-env.ts.
 */
export default async function globalSetup(): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'deployflow-test-'));
  chmodSync(root, 0o755); // postgres runs as its own user when we are root and must reach its data directory
  const [redis, postgres] = await Promise.all([
    startRedisServer({ dir: path.join(root, 'redis') }),
    startPostgresServer({ dataDir: path.join(root, 'pg') }),
  ]);
  const stopGuard = guardAgainstOrphans([redis.service.pid!, postgres.service.pid!]);
  const admin = new Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  await admin.end();
  const template = new Client({ connectionString: postgres.databaseUrl(TEMPLATE_DATABASE) });
  await template.connect();
  await applyMigrations(pgRunner(template));
  await template.end();

  const services: TestServices = {
    root,
    redisUrl: redis.url,
    postgresUrl: postgres.url,
    postgresPort: postgres.port,
    redisPid: redis.service.pid!,
    postgresPid: postgres.service.pid!,
    runnerPid: process.pid,
  };
  const file = path.join(root, 'services.json');
  writeFileSync(file, JSON.stringify(services));
  process.env.DEPLOYFLOW_TEST_SERVICES = file;
  (globalThis as Record<string, unknown>).__deployflowServices = { redis, postgres, root, stopGuard };
}
