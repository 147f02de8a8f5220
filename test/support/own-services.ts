import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { applyMigrations } from '../../src/db/migrator';
import { pgRunner } from '../../src/db/sql-runner';
import { RunningPostgres, startPostgresServer } from '../../src/services/postgres-server';
import { RunningRedis, startRedisServer } from '../../src/services/redis-server';

const DATABASE = 'deployflow';

/** How PostgreSQL goes down: `crash` = SIGKILL of the postmaster and its backends (crash recovery on start), `fast` = SIGINT (fast shutdown). */
export type PostgresStopMode = 'crash' | 'fast';

/**
 * A redis-server and a PostgreSQL of the test file's own, both durable (AOF with fsync every second; fsync on), on
 * fixed ports in a temporary directory, so the test can kill and restart them under running workers: clients
 * reconnect to the same address and find the same data.
 */
export interface OwnServices {
  root: string;
  redisUrl: string;
  redisPort: number;
  /** The migrated database the engine uses. */
  databaseUrl: string;
  postgresPort: number;
  /** Process ids currently serving, for the report. */
  pids(): { redis?: number; postgres?: number };
  /** SIGKILL of redis-server (no chance to write anything more than the AOF already holds). */
  killRedis(): Promise<void>;
  /** Starts redis-server again on the same port and directory; resolves once it has replayed the AOF and answers. */
  startRedis(): Promise<void>;
  /** killRedis, an optional outage of downMs, startRedis; how long starting took (until the AOF was loaded). */
  restartRedis(options?: { downMs?: number }): Promise<{ startMs: number }>;
  stopPostgres(mode?: PostgresStopMode): Promise<void>;
  startPostgres(): Promise<void>;
  /** stopPostgres, an optional outage of downMs, startPostgres; how long stopping and starting took. */
  restartPostgres(options?: { mode?: PostgresStopMode; downMs?: number }): Promise<{ stopMs: number; startMs: number }>;
  /** Stops both servers (by PID) and removes the directory. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Running, as opposed to gone or a zombie waiting to be reaped by whoever inherited it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The direct children of a process (PostgreSQL's backends and auxiliary processes), read from /proc. */
function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may hold spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

async function waitUntilGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = pids.filter(alive);
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(50);
  }
}

async function createMigratedDatabase(postgres: RunningPostgres): Promise<void> {
  const admin = new Client({ connectionString: postgres.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  const client = new Client({ connectionString: postgres.databaseUrl(DATABASE) });
  await client.connect();
  try {
    await applyMigrations(pgRunner(client));
  } finally {
    await client.end();
  }
}

export async function startOwnServices(): Promise<OwnServices> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'deployflow-own-'));
  chmodSync(root, 0o755); // postgres runs as its own user when we are root and must reach its data directory
  const redisDir = path.join(root, 'redis');
  const dataDir = path.join(root, 'pg');
  // Each server picks its own port (and another when that one is taken before it binds); restarts reuse it.
  let redis: RunningRedis | undefined = await startRedisServer({ dir: redisDir, durable: true });
  const redisPort = redis.port;
  let postgres: RunningPostgres | undefined;
  try {
    postgres = await startPostgresServer({ dataDir, durable: true });
    await createMigratedDatabase(postgres);
  } catch (err) {
    await redis.service.stop();
    await postgres?.service.stop(10_000, 'SIGINT');
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  const postgresPort = postgres.port;

  const services: OwnServices = {
    root,
    redisUrl: redis.url,
    redisPort,
    databaseUrl: `postgresql://postgres@127.0.0.1:${postgresPort}/${DATABASE}`,
    postgresPort,
    pids: () => ({ redis: redis?.service.running ? redis.service.pid : undefined, postgres: postgres?.service.running ? postgres.service.pid : undefined }),

    async killRedis() {
      await redis?.service.kill();
      redis = undefined;
    },
    async startRedis() {
      if (redis?.service.running) return;
      redis = await startRedisServer({ dir: redisDir, port: redisPort, durable: true });
      // The port opens before the AOF is loaded; commands answer LOADING until then. Wait for a real answer.
      const probe = new IORedis(redis.url, { maxRetriesPerRequest: null, lazyConnect: true });
      try {
        const deadline = Date.now() + 30_000;
        await probe.connect();
        for (;;) {
          try {
            await probe.ping();
            break;
          } catch (err) {
            if (Date.now() > deadline) throw err;
            await sleep(50);
          }
        }
      } finally {
        probe.disconnect();
      }
    },
    async restartRedis(options = {}) {
      await services.killRedis();
      if (options.downMs) await sleep(options.downMs);
      const started = Date.now();
      await services.startRedis();
      return { startMs: Date.now() - started };
    },

    async stopPostgres(mode = 'crash') {
      if (!postgres?.service.running) return;
      const postmaster = postgres.service.pid!;
      // A crash takes the whole server down at once, as a killed container or host would: the postmaster and every
      // backend (our children, ended by PID). A backend left alone would finish, even commit, its query first, and
      // would keep the shared memory attached, which stops a new postmaster from starting.
      const backends = childrenOf(postmaster);
      if (mode === 'crash') {
        // The postmaster first: left alive, it would notice a dead backend and run a crash cycle of its own.
        process.kill(postmaster, 'SIGKILL');
        for (const pid of backends) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Gone meanwhile.
          }
        }
        await postgres.service.kill();
      } else {
        await postgres.service.stop(30_000, 'SIGINT');
      }
      const lingering = await waitUntilGone(backends, 10_000);
      if (lingering.length) throw new Error(`postgres processes ${lingering.join(', ')} outlived the stop of their postmaster ${postmaster}`);
      postgres = undefined;
    },
    async startPostgres() {
      if (postgres?.service.running) return;
      postgres = await startPostgresServer({ dataDir, port: postgresPort, durable: true });
    },
    async restartPostgres(options = {}) {
      const stopping = Date.now();
      await services.stopPostgres(options.mode);
      const stopMs = Date.now() - stopping;
      if (options.downMs) await sleep(options.downMs);
      const starting = Date.now();
      await services.startPostgres();
      return { stopMs, startMs: Date.now() - starting };
    },

    async stop() {
      await Promise.all([redis?.service.stop(), services.stopPostgres('fast')]);
      redis = undefined;
      rmSync(root, { recursive: true, force: true });
    },
  };
  return services;
}
