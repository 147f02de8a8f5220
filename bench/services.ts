import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { Client } from 'pg';
import { Database, openPostgres } from '../src/db/database';
import { startPostgresServer } from '../src/services/postgres-server';
import { startRedisServer } from '../src/services/redis-server';
import type { Cleanup } from './cleanup';

export interface StartedProcess {
  name: string;
  pid: number;
}

export interface BenchServices {
  redisUrl: string;
  databaseUrl: string;
  db: Database;
  /** Where Redis and PostgreSQL came from, for the report. */
  redisSource: 'REDIS_URL' | 'own redis-server';
  databaseSource: 'DATABASE_URL' | 'own PostgreSQL';
  /** Servers this run started (and stops): their PIDs go into the results so a caller can check they are gone. */
  started: StartedProcess[];
}

const BENCH_DATABASE = 'deployflow_bench';

async function createDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
}

/**
 * Redis and a migrated PostgreSQL database: the ones REDIS_URL / DATABASE_URL name, or throwaway servers started
 * here as child processes (data in a temporary directory, fsync off) and registered with `cleanup`.
 */
export async function startBenchServices(cleanup: Cleanup, env: NodeJS.ProcessEnv, poolSize: number): Promise<BenchServices> {
  const started: StartedProcess[] = [];
  let root: string | undefined;
  const tempRoot = () => {
    if (!root) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'deployflow-bench-'));
      // PostgreSQL runs as its own user when we are root and must reach its data directory.
      chmodSync(dir, 0o755);
      cleanup.add('temporary directory', () => rmSync(dir, { recursive: true, force: true }));
      root = dir;
    }
    return root;
  };

  let redisUrl = env.REDIS_URL || undefined;
  if (!redisUrl) {
    const redis = await startRedisServer({ dir: path.join(tempRoot(), 'redis') });
    cleanup.add('redis-server', () => redis.service.stop());
    started.push({ name: 'redis-server', pid: redis.service.pid! });
    redisUrl = redis.url;
  }

  let databaseUrl = env.DATABASE_URL || undefined;
  if (!databaseUrl) {
    const postgres = await startPostgresServer({ dataDir: path.join(tempRoot(), 'pg') });
    // SIGINT is PostgreSQL's fast shutdown: it ends open sessions instead of waiting for them.
    cleanup.add('postgres', () => postgres.service.stop(10_000, 'SIGINT'));
    started.push({ name: 'postgres', pid: postgres.service.pid! });
    await createDatabase(postgres.url, BENCH_DATABASE);
    databaseUrl = postgres.databaseUrl(BENCH_DATABASE);
  }

  const db = openPostgres(databaseUrl, poolSize);
  cleanup.add('database client', () => db.close());
  await db.migrate();
  return {
    redisUrl,
    databaseUrl,
    db,
    redisSource: env.REDIS_URL ? 'REDIS_URL' : 'own redis-server',
    databaseSource: env.DATABASE_URL ? 'DATABASE_URL' : 'own PostgreSQL',
    started,
  };
}

/** On a Redis we did not start, leave nothing behind: every key under the benchmark's prefixes. */
export async function removeKeysUnder(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
