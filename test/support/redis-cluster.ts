import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { ChildService } from '../../src/services/child-service';
import { findBinary } from '../../src/services/find-binary';
import { waitForPort } from '../../src/services/free-port';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BINARY_DIRS = ['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin'];

/**
 * A throwaway 3-master Redis Cluster (no replicas) from the system's redis-server, each node durable (AOF, fsync every
 * second) in a directory of its own under a temporary root, so a test can kill one master and start it again on the
 * same port, AOF and nodes.conf.
 */
export interface RedisCluster {
  root: string;
  ports: number[];
  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`: what REDIS_URL says to name this cluster. */
  url: string;
  pids(): (number | undefined)[];
  /** The index (in `ports`) of the master serving `key`'s slot: with the queue prefix, the node holding every key. */
  nodeOf(key: string): Promise<number>;
  /** SIGKILL of one node (by its index in `ports`). */
  killNode(index: number): Promise<void>;
  /** Starts a killed node again on its port and directory; resolves once every node says `cluster_state:ok`. */
  startNode(index: number): Promise<void>;
  /** Stops every node by PID and removes the directory. */
  stop(): Promise<void>;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Ports below the kernel's ephemeral range (32768+), as in test/embedded/support/control-plane.ts: a port handed out
 * for `listen(0)` elsewhere could take ours while a node restarts. Each node also listens on port + 10000 (the
 * cluster bus), which must be free and below that range too.
 */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let attempt = 0; ports.length < count && attempt < 500; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 2_700);
    if (ports.includes(port)) continue;
    if ((await canListen(port)) && (await canListen(port + 10_000))) ports.push(port);
  }
  if (ports.length < count) throw new Error('no free ports for a Redis Cluster below 32768');
  return ports;
}

function binary(name: string): string {
  const found = findBinary(name, BINARY_DIRS);
  if (!found) throw new Error(`${name} is not installed (Debian: apt-get install -y redis-server)`);
  return found;
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run(binary('redis-cli'), ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return stdout;
}

async function waitForClusterOk(ports: number[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(ports.map((p) => cli(p, 'cluster', 'info').catch((err: Error) => err.message)));
    // Every node must agree (and be done loading its AOF) before a client is handed the cluster.
    if (states.every((s) => s.includes('cluster_state:ok'))) {
      const pings = await Promise.all(ports.map((p) => cli(p, 'ping').catch(() => '')));
      if (pings.every((p) => p.trim() === 'PONG')) return;
    }
    if (Date.now() > deadline) throw new Error(`Redis Cluster not ok within ${timeoutMs} ms:\n${states.join('\n')}`);
    await sleep(100);
  }
}

export async function startRedisCluster(options: { masters?: number } = {}): Promise<RedisCluster> {
  const count = options.masters ?? 3;
  const root = mkdtempSync(path.join(os.tmpdir(), 'deployflow-cluster-'));
  const ports = await clusterPorts(count);
  const services: (ChildService | undefined)[] = [];
  const server = binary('redis-server');

  const startNode = async (index: number) => {
    const port = ports[index];
    const dir = path.join(root, String(port));
    mkdirSync(dir, { recursive: true });
    const service = ChildService.start(`redis-cluster-${port}`, server, [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--daemonize', 'no',
      '--cluster-enabled', 'yes',
      '--cluster-config-file', path.join(dir, 'nodes.conf'),
      // A killed master must not leave the others refusing every slot for long; no replicas take over anyway.
      '--cluster-node-timeout', '2000',
      '--appendonly', 'yes',
      '--appendfsync', 'everysec',
      '--save', '',
    ]);
    services[index] = service;
    try {
      await waitForPort(port);
    } catch (err) {
      await service.stop();
      throw new Error(`redis-server (cluster node ${port}) did not start: ${(err as Error).message}\n${service.recentOutput()}`);
    }
  };

  const stopAll = async () => {
    await Promise.all(services.map((s) => s?.stop(3_000)));
    rmSync(root, { recursive: true, force: true });
  };

  try {
    await Promise.all(ports.map((_, i) => startNode(i)));
    await run(
      binary('redis-cli'),
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: 30_000 },
    );
    await waitForClusterOk(ports);
  } catch (err) {
    await stopAll();
    throw err;
  }

  return {
    root,
    ports,
    url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    pids: () => services.map((s) => (s?.running ? s.pid : undefined)),
    async nodeOf(key) {
      const live = ports.find((_, i) => services[i]?.running);
      const conn = new Redis(live!, '127.0.0.1', { maxRetriesPerRequest: 1, lazyConnect: true });
      try {
        await conn.connect();
        const slot = Number(await conn.cluster('KEYSLOT', key));
        const ranges = await conn.cluster('SLOTS');
        const owner = ranges.find(([from, to]) => slot >= from && slot <= to);
        if (!owner) throw new Error(`no master serves slot ${slot}`);
        return ports.indexOf(Number(owner[2][1]));
      } finally {
        conn.disconnect();
      }
    },
    async killNode(index) {
      await services[index]?.kill();
      services[index] = undefined;
    },
    async startNode(index) {
      if (services[index]?.running) return;
      await startNode(index);
      await waitForClusterOk(ports, 30_000);
    },
    stop: stopAll,
  };
}
