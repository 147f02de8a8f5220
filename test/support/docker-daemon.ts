import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import Docker from 'dockerode';
import { findBinary } from '../../src/services/find-binary';

/** A dockerd of our own: its own data and exec roots, pid file and unix socket in one temporary directory. */
export interface DockerdInfo {
  /** `unix://<root>/d.sock`: what DOCKER_HOST takes. */
  host: string;
  socketPath: string;
  pid: number;
  root: string;
}

const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 20_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Why no dockerd of our own can be started here, or undefined when one can. */
export function dockerdUnavailableReason(): string | undefined {
  if (!findBinary('dockerd', ['/usr/sbin', '/usr/bin', '/usr/local/bin'])) return 'dockerd is not installed (Debian: apt-get install -y docker.io)';
  if (process.getuid?.() !== 0) return 'dockerd needs root and the tests do not run as root';
  return undefined;
}

/** Alive, as opposed to gone or a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * Starts dockerd as root with everything under a short temporary directory (a unix socket path must stay under
 * ~100 characters), without the default docker0 bridge (drivers make their own networks, and two daemons on one
 * host would fight over docker0). Resolves once the Engine API answers.
 */
export async function startDockerd(): Promise<DockerdInfo> {
  const reason = dockerdUnavailableReason();
  if (reason) throw new Error(`cannot start dockerd: ${reason}`);
  const binary = findBinary('dockerd', ['/usr/sbin', '/usr/bin', '/usr/local/bin'])!;
  const root = mkdtempSync('/tmp/dfd-');
  const socketPath = `${root}/d.sock`;
  const log = openSync(`${root}/dockerd.log`, 'a');
  const child = spawn(
    binary,
    ['--data-root', `${root}/data`, '--exec-root', `${root}/x`, '--pidfile', `${root}/d.pid`, '-H', `unix://${socketPath}`,
      '--bridge', 'none', '--shutdown-timeout', '5', '--log-level', 'warn'],
    {
      // Its own session and a log file rather than pipes: it must not die with the test worker that started it.
      stdio: ['ignore', log, log],
      detached: true,
      // Tests build their images locally and must never reach a registry outside this machine: any pull other than
      // from a registry on loopback goes to a proxy address where nothing listens, and fails at once.
      env: { ...process.env, HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1,localhost' },
    },
  );
  closeSync(log);
  child.unref();
  const info: DockerdInfo = { host: `unix://${socketPath}`, socketPath, pid: child.pid!, root };
  const docker = new Docker({ socketPath });
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      await docker.ping();
      return info;
    } catch {
      if (!alive(info.pid) || Date.now() > deadline) {
        const output = (() => {
          try {
            return readFileSync(`${root}/dockerd.log`, 'utf8').slice(-4000);
          } catch {
            return '';
          }
        })();
        await stopDockerd(info);
        throw new Error(`dockerd did not start within ${START_TIMEOUT_MS} ms:\n${output}`);
      }
      await sleep(200);
    }
  }
}

/** PIDs whose command line names the daemon's directory: its containerd and shims, all started by our dockerd. */
function processesUnder(root: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(root)) pids.push(Number(entry));
    } catch {
      // ended while we looked
    }
  }
  return pids;
}

/**
 * Stops a dockerd we started, by its PID, and leaves nothing behind: its containers and networks are removed
 * through the API first (a network left behind keeps its bridge and firewall rules on the host), then SIGTERM,
 * SIGKILL after a grace, stray containerd processes of its directory killed, its mounts released, the directory removed.
 */
export async function stopDockerd(info: DockerdInfo): Promise<void> {
  if (alive(info.pid)) {
    const docker = new Docker({ socketPath: info.socketPath, timeout: 30_000 });
    try {
      const containers = await docker.listContainers({ all: true });
      await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
      const networks = await docker.listNetworks();
      await Promise.all(
        networks.filter((n) => !['bridge', 'host', 'none'].includes(n.Name)).map((n) => docker.getNetwork(n.Id).remove().catch(() => undefined)),
      );
    } catch {
      // The daemon does not answer: stop it anyway.
    }
    try {
      process.kill(info.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    if (!(await waitUntilGone(info.pid, STOP_GRACE_MS))) {
      try {
        process.kill(info.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await waitUntilGone(info.pid, 5_000);
    }
  }
  for (const pid of processesUnder(info.root)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((mountPoint) => mountPoint?.startsWith(info.root + '/'))
    .reverse();
  for (const mountPoint of mounts) spawnSync('umount', ['-l', mountPoint]);
  rmSync(info.root, { recursive: true, force: true });
}

// Runs as its own small process: if the test runner dies without its global teardown, the dockerd it started would
// be left running. The guard watches the runner's PID and then stops dockerd (SIGTERM, SIGKILL after a grace).
const GUARD = `
const [runner, dockerd] = process.argv.slice(1).map(Number);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const timer = setInterval(() => {
  if (!alive(dockerd)) process.exit(0);
  if (alive(runner)) return;
  clearInterval(timer);
  try { process.kill(dockerd, 'SIGTERM'); } catch {}
  setTimeout(() => { try { process.kill(dockerd, 'SIGKILL'); } catch {} process.exit(0); }, ${STOP_GRACE_MS});
}, 500);
process.on('SIGTERM', () => process.exit(0));
`;

/** Watches `runnerPid`; stops the daemon if the runner goes away first. Ends by itself once the daemon is gone. */
export function guardDockerd(runnerPid: number, dockerdPid: number): void {
  const guard = spawn(process.execPath, ['-e', GUARD, String(runnerPid), String(dockerdPid)], { stdio: 'ignore', detached: true });
  guard.unref();
}
