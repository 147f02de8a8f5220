import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { Client } from 'pg';
import { ChildService } from './child-service';
import { findBinary, MissingBinaryError, postgresBinDirs } from './find-binary';
import { startOnFreePort, waitForPort } from './free-port';

export const POSTGRES_INSTALL_HINT =
  'Install PostgreSQL server binaries: Debian/Ubuntu `sudo apt-get install -y postgresql`, macOS `brew install postgresql@15`.';

export interface RunningPostgres {
  /** URL of the `postgres` maintenance database; build per-database URLs with `databaseUrl`. */
  url: string;
  port: number;
  dataDir: string;
  service: ChildService;
  databaseUrl(database: string): string;
}

function ownerIds(): { uid: number; gid: number } | undefined {
  // initdb and postgres refuse to run as root; run them as the `postgres` system user then.
  if (process.getuid?.() !== 0) return undefined;
  const passwd = execFileSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).trim().split(':');
  return { uid: Number(passwd[2]), gid: Number(passwd[3]) };
}

/** initdb (when the directory is new) and start a throwaway PostgreSQL on loopback, fsync off. */
export async function startPostgresServer(options: { dataDir: string; port?: number; durable?: boolean }): Promise<RunningPostgres> {
  const dirs = postgresBinDirs();
  const initdb = dirs.map((d) => `${d}/initdb`).find(existsSync) ?? findBinary('initdb');
  const postgres = dirs.map((d) => `${d}/postgres`).find(existsSync) ?? findBinary('postgres');
  if (!initdb || !postgres) throw new MissingBinaryError('initdb/postgres', POSTGRES_INSTALL_HINT);

  const owner = ownerIds();
  mkdirSync(options.dataDir, { recursive: true });
  if (owner) chownSync(options.dataDir, owner.uid, owner.gid);
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};

  if (!existsSync(`${options.dataDir}/PG_VERSION`)) {
    try {
      execFileSync(initdb, ['-D', options.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: os.tmpdir(),
        ...asOwner,
      });
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`initdb failed for ${options.dataDir}: ${stderr.trim() || (err as Error).message}`);
    }
  }
  return startOnFreePort(options.port, (port) => startOnPort(postgres, options, port, asOwner));
}

async function startOnPort(postgres: string, options: { dataDir: string; durable?: boolean }, port: number, asOwner: { uid?: number; gid?: number }): Promise<RunningPostgres> {
  const service = ChildService.start(
    'postgres',
    postgres,
    [
      '-D', options.dataDir,
      '-p', String(port),
      '-k', options.dataDir,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `fsync=${options.durable ? 'on' : 'off'}`,
      '-c', 'max_connections=300',
      '-c', 'shared_buffers=64MB',
    ],
    { cwd: os.tmpdir(), ...asOwner },
  );
  try {
    await waitForPort(port, '127.0.0.1', 30_000);
    await waitForQueries(`postgresql://postgres@127.0.0.1:${port}/postgres`, 30_000);
  } catch (err) {
    await service.stop();
    throw new Error(`postgres did not start: ${(err as Error).message}\n${service.recentOutput()}`);
  }
  const databaseUrl = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  return { url: databaseUrl('postgres'), port, dataDir: options.dataDir, service, databaseUrl };
}

/** PostgreSQL accepts connections before it accepts queries ("starting up"): wait for a real `select 1`. */
async function waitForQueries(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
