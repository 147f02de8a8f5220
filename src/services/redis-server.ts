import { mkdirSync } from 'node:fs';
import { ChildService } from './child-service';
import { findBinary, MissingBinaryError } from './find-binary';
import { startOnFreePort, waitForPort } from './free-port';

export const REDIS_INSTALL_HINT =
  'Install it: Debian/Ubuntu `sudo apt-get install -y redis-server`, macOS `brew install redis`, ' +
  'or run `docker compose up -d redis` and set REDIS_URL=redis://127.0.0.1:6379.';

export interface RedisServerOptions {
  dir: string;
  port?: number;
  /** AOF with fsync every second: survives kill -9 of redis-server itself. */
  durable?: boolean;
  /** redis-server writes its PID here (to find it again after our own process was killed). */
  pidFile?: string;
  /** In a process group of its own: signals sent to our terminal's group (Ctrl-C) do not reach it. */
  detached?: boolean;
}

export interface RunningRedis {
  url: string;
  port: number;
  service: ChildService;
}

/** Starts redis-server as a child process bound to loopback. */
export async function startRedisServer(options: RedisServerOptions): Promise<RunningRedis> {
  const binary = findBinary('redis-server', ['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin']);
  if (!binary) throw new MissingBinaryError('redis-server', REDIS_INSTALL_HINT);
  mkdirSync(options.dir, { recursive: true });
  return startOnFreePort(options.port, (port) => startOnPort(binary, options, port));
}

async function startOnPort(binary: string, options: RedisServerOptions, port: number): Promise<RunningRedis> {
  const persistence = options.durable
    ? ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '']
    : ['--appendonly', 'no', '--save', ''];
  const service = ChildService.start('redis-server', binary, [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', options.dir,
    '--daemonize', 'no',
    '--protected-mode', 'yes',
    ...persistence,
    ...(options.pidFile ? ['--pidfile', options.pidFile] : []),
  ], { detached: options.detached ?? false });
  try {
    await waitForPort(port);
  } catch (err) {
    await service.stop();
    throw new Error(`redis-server did not start: ${(err as Error).message}\n${service.recentOutput()}`);
  }
  return { url: `redis://127.0.0.1:${port}`, port, service };
}
