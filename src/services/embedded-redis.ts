import { existsSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pidExists } from './process-identity';
import { RunningRedis, startRedisServer } from './redis-server';

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** redis-server runs with `--dir <dataDir>` and so in that directory: its cwd says whose it is. */
function runsIn(pid: number, dir: string): boolean {
  try {
    return realpathSync(readlinkSync(`/proc/${pid}/cwd`)) === realpathSync(dir);
  } catch {
    return false;
  }
}

/**
 * The redis-server `npm start` runs when REDIS_URL is unset: durable (AOF), data under dataDir, in a process group of
 * its own so a Ctrl-C in the terminal reaches only node, which stops redis-server last, after its clients.
 *
 * Call it only while holding the DATA_DIR lock: a redis-server left behind by an earlier start that was killed (its
 * pid file names it, and it runs in dataDir) is then an orphan, and is stopped so two never share the AOF.
 */
export async function startEmbeddedRedis(dataDir: string): Promise<RunningRedis> {
  const pidFile = path.join(dataDir, 'deployflow-redis.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid > 0 && pidExists(pid) && commandOf(pid).includes('redis-server') && runsIn(pid, dataDir)) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100 && pidExists(pid); i++) await new Promise((r) => setTimeout(r, 50));
      if (pidExists(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(pidFile, { force: true });
  }
  return startRedisServer({ dir: dataDir, durable: true, pidFile, detached: true });
}
