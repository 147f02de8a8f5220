import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../src/services/free-port';
import { getViaHost } from '../../support/http-get';
import { REPO_ROOT } from '../../support/engine-harness';

/** A process as /proc names it: PID plus start time, so a recycled PID is never mistaken for it. */
export interface ProcessRef {
  pid: number;
  startTime: string;
  command: string;
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Still running (a zombie, exited but not yet reaped, counts as gone). */
export function isRunning(ref: ProcessRef): boolean {
  const fields = statFields(ref.pid);
  return !!fields && fields[0] !== 'Z' && fields[19] === ref.startTime;
}

/** Every process below `rootPid` (children, their children, ...), read from /proc. */
export function descendantsOf(rootPid: number): ProcessRef[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields) parentOf.set(Number(entry), Number(fields[1]));
  }
  const found: ProcessRef[] = [];
  const frontier = [rootPid];
  while (frontier.length) {
    const parent = frontier.pop()!;
    for (const [pid, ppid] of parentOf) {
      if (ppid !== parent) continue;
      const fields = statFields(pid);
      if (!fields) continue;
      let command = '';
      try {
        command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      } catch {
        // gone
      }
      found.push({ pid, startTime: fields[19], command });
      frontier.push(pid);
    }
  }
  return found;
}

export async function waitUntilGone(refs: ProcessRef[], timeoutMs: number): Promise<ProcessRef[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = refs.filter(isRunning);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ControlPlanePorts {
  api: number;
  gateway: number;
  grpc: number;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Free ports below the kernel's ephemeral range (32768+): ports handed out for `listen(0)` by other tests (their app
 * instances, Krane, servers) are taken from that range, and one of them could take ours between our check and our
 * listen, or while the control plane restarts on the same ports.
 */
async function freeFixedPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(port) && (await canListen(port))) {
      taken.add(port);
      return port;
    }
  }
  return freePort();
}

/** `count` distinct free ports below the ephemeral range (see freeFixedPort). */
export async function freeFixedPorts(count: number): Promise<number[]> {
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freeFixedPort(taken));
  return ports;
}

export async function freePorts(): Promise<ControlPlanePorts> {
  const taken = new Set<number>();
  return { api: await freeFixedPort(taken), gateway: await freeFixedPort(taken), grpc: await freeFixedPort(taken) };
}

export function newDataDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'deployflow-lifecycle-'));
}

/** A running `npm start` (or `node src/main.ts`) with its output collected. */
export class ControlPlane {
  private out = '';
  /** Every descendant ever seen, so cleanup reaches processes orphaned by a failed test. */
  private readonly seen = new Map<number, ProcessRef>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;

  private constructor(
    readonly child: ChildProcess,
    readonly ports: ControlPlanePorts,
  ) {
    child.stdout!.on('data', (c: Buffer) => (this.out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (this.out += c.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  }

  /**
   * `via: 'npm'` runs `npm start --ignore-scripts` (the start script exactly as a user's `npm start` runs it, minus the
   * code generation pre-hook, which would rewrite generated code under other test files running at the same time).
   */
  static start(options: { dataDir: string; ports: ControlPlanePorts; via?: 'npm' | 'node'; env?: Record<string, string> }): ControlPlane {
    const env = {
      PATH: process.env.PATH!,
      HOME: process.env.HOME!,
      DATA_DIR: options.dataDir,
      API_PORT: String(options.ports.api),
      GATEWAY_PORT: String(options.ports.gateway),
      GRPC_PORT: String(options.ports.grpc),
      LOG_LEVEL: 'info',
      ...options.env,
    };
    const [command, args] =
      options.via === 'npm'
        ? ['npm', ['start', '--ignore-scripts', '--silent']]
        : [process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'main.ts')]];
    const child = spawn(command as string, args as string[], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    return new ControlPlane(child, options.ports);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get output(): string {
    return this.out;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  rootKey(): string | undefined {
    return /Root API key \(shown once, keep it\): (df_[A-Za-z0-9]{32})/.exec(this.out)?.[1];
  }

  async readyz(): Promise<{ status: number; body: any }> /* eslint-disable-line @typescript-eslint/no-explicit-any -- JSON the tests pick apart */ {
    const res = await fetch(`http://127.0.0.1:${this.ports.api}/readyz`);
    return { status: res.status, body: await res.json() };
  }

  /** Resolves once /readyz answers 200; fails early if the process exits. */
  async waitUntilReady(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`the control plane exited before it was ready:\n${this.out.slice(-4000)}`);
      try {
        const res = await this.readyz();
        // The shape too: anything else on this port (it should not be) must not pass for our API.
        if (res.status === 200 && res.body?.status === 'ready' && res.body?.checks) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`not ready within ${timeoutMs} ms:\n${this.out.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async api(method: string, pathname: string, key: string, body?: unknown): Promise<any> /* eslint-disable-line @typescript-eslint/no-explicit-any -- JSON the tests pick apart */ {
    const res = await fetch(`http://127.0.0.1:${this.ports.api}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await res.json();
    if (res.status >= 300) throw new Error(`${method} ${pathname}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** Workspace, project and a ready deployment of examples/hello-api; returns the live hostname. */
  async deployHelloApi(rootKey: string, slug = 'acme'): Promise<{ hostname: string; deploymentId: string; key: string }> {
    const workspace = await this.api('POST', '/v1/workspaces', rootKey, { slug, name: slug });
    const key = workspace.apiKey.key as string;
    await this.api('POST', '/v1/projects', key, { slug: 'shop', name: 'Shop' });
    const created = await this.api('POST', '/v1/deployments', key, {
      projectId: 'shop',
      image: 'file:examples/hello-api',
      git: { branch: 'main' },
    });
    const deadline = Date.now() + 90_000;
    for (;;) {
      const op = await this.api('GET', `/v1/operations/${created.operationId}?wait=20`, key);
      if (op.state === 'succeeded') break;
      if (op.state === 'failed' || Date.now() > deadline) throw new Error(`deploy did not succeed: ${JSON.stringify(op)}`);
    }
    const hostname = `shop-${slug}.deploy.localhost`;
    return { hostname, deploymentId: created.deploymentId, key };
  }

  async viaGateway(hostname: string): Promise<{ status: number; body: string }> {
    const res = await getViaHost(this.ports.gateway, hostname);
    return { status: res.status, body: res.body };
  }

  /** The processes it runs now (node, redis-server, app instances, ...), remembered for cleanup. */
  processes(): ProcessRef[] {
    const now = descendantsOf(this.pid);
    for (const ref of now) this.seen.set(ref.pid, ref);
    return now;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** For afterAll: whatever is left of it and everything it started, SIGKILLed. */
  async kill(): Promise<void> {
    if (this.running) this.processes();
    if (this.running) this.child.kill('SIGKILL');
    for (const ref of this.seen.values()) {
      if (!isRunning(ref)) continue;
      try {
        process.kill(ref.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    if (this.running) await this.exited;
  }
}

export function embeddedRedisPid(dataDir: string): number {
  return Number(readFileSync(path.join(dataDir, 'redis', 'deployflow-redis.pid'), 'utf8').trim());
}
