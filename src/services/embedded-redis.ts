import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { RunningRedis, startRedisServer } from './redis-server';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The redis-server `npm start` runs when REDIS_URL is unset: durable (AOF), data under dataDir. A redis-server left
 * behind by an earlier start that was killed (its pid file names it) is stopped first, so two never share the AOF.
 */
export async function startEmbeddedRedis(dataDir: string): Promise<RunningRedis> {
  const pidFile = path.join(dataDir, 'deployflow-redis.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid > 0 && alive(pid) && commandOf(pid).includes('redis-server')) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    }
    rmSync(pidFile, { force: true });
  }
  return startRedisServer({ dir: dataDir, durable: true, pidFile });
}
