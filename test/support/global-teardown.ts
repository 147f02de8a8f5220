import { rmSync } from 'node:fs';
import type { RunningPostgres } from '../../src/services/postgres-server';
import type { RunningRedis } from '../../src/services/redis-server';

export default async function globalTeardown(): Promise<void> {
  const started = (globalThis as Record<string, unknown>).__deployflowServices as
    | { redis: RunningRedis; postgres: RunningPostgres; root: string; stopGuard: () => void }
    | undefined;
  if (!started) return;
  await Promise.all([started.redis.service.stop(), started.postgres.service.stop(10_000, 'SIGINT')]);
  started.stopGuard();
  rmSync(started.root, { recursive: true, force: true });
}
