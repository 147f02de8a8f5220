import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { RunningPostgres } from '../../src/services/postgres-server';
import type { RunningRedis } from '../../src/services/redis-server';
import { DockerdInfo, stopDockerd } from './docker-daemon';

export default async function globalTeardown(): Promise<void> {
  const started = (globalThis as Record<string, unknown>).__deployflowServices as
    | { redis: RunningRedis; postgres: RunningPostgres; root: string; stopGuard: () => void }
    | undefined;
  if (!started) return;
  // The run's dockerd, if a docker test started one (docker-for-tests.ts): stopped by PID, with its containers and networks.
  const dockerd = path.join(started.root, 'dockerd.json');
  try {
    if (existsSync(dockerd)) await stopDockerd(JSON.parse(readFileSync(dockerd, 'utf8')) as DockerdInfo);
  } finally {
    await Promise.all([started.redis.service.stop(), started.postgres.service.stop(10_000, 'SIGINT')]);
    started.stopGuard();
    rmSync(started.root, { recursive: true, force: true });
  }
}
