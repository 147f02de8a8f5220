import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../src/db/prisma';
import { startGatewayProcesses } from '../src/gateway';
import { newId } from '../src/ids';
import type { Logger } from '../src/logger';
import { ChildService } from '../src/services/child-service';
import { freePort, waitForPort } from '../src/services/free-port';
import type { Cleanup } from './cleanup';
import type { LoadResult } from './load-generator';
import { PeerStart, startCaddy, startNginx } from './peer-proxies';

const REPO_ROOT = path.resolve(__dirname, '..');
const HOSTNAME = 'hello.gateway-bench.localhost';

export type Target = 'direct' | 'gateway' | 'caddy' | 'nginx';
export const TARGETS: readonly Target[] = ['direct', 'gateway', 'caddy', 'nginx'];

export interface GatewayBenchOptions {
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** Rounds over every target, interleaved; each target's figures are from its median round. */
  rounds: number;
  /** Gateway processes sharing the port. */
  processes: number;
}

export interface GatewayBenchResult {
  upstream: string;
  connections: number;
  secondsPerTarget: number;
  rounds: number;
  gatewayProcesses: number;
  /** 1-minute load average just before and just after the measurements. */
  loadAverage: { before: number; after: number };
  /** Requests per second (median round); null for a peer whose binary is absent (see `skipped`). */
  rps: Record<Target, number | null>;
  /** Every round's requests per second, in the order measured. */
  rpsByRound: Partial<Record<Target, number[]>>;
  /**
   * CPU time (user + system) the proxy's own processes spent per 1,000 requests, over all rounds: how much machine
   * each hop costs, which holds better than req/s when other work shares the cores. `direct`: the app itself.
   */
  cpuMsPer1kRequests: Partial<Record<Target, number>>;
  latency: Partial<Record<Target, LoadResult['latency']>>;
  failures: Partial<Record<Target, { non2xx: number; errors: number; firstError?: string }>>;
  skipped: Partial<Record<Target, string>>;
  /** gateway rps / peer rps, measured side by side in this run. */
  ratio: { gatewayToDirect: number; gatewayToCaddy: number | null; gatewayToNginx: number | null };
  /** gateway p99 − direct p99: what the hop adds at the tail. */
  addedP99Ms: number;
}

const load1 = () => Math.round(os.loadavg()[0] * 100) / 100;

/** User + system CPU time of a process so far, in ms (Linux /proc; 0 where it cannot be read). */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** A process and its direct children (nginx's workers). */
function withChildren(pid: number): number[] {
  try {
    return [pid, ...readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)];
  } catch {
    return [pid];
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

/** The load generator in a process of its own (see load-generator.ts); resolves with its JSON line. */
function generateLoad(url: string, host: string | undefined, options: GatewayBenchOptions): Promise<LoadResult> {
  const args = ['--url', url, '--connections', String(options.connections), '--seconds', String(options.seconds), '--warmup-seconds', String(options.warmupSeconds)];
  if (host) args.push('--host', host);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'load-generator.ts'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited ${code}: ${stderr.trim()}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as LoadResult);
    });
  });
}

/** One examples/hello-api process on a free port (the same app every deploy runs), stopped by its PID. */
async function startHelloApi(cleanup: Cleanup): Promise<{ address: string; pid: number }> {
  const port = await freePort();
  const service = ChildService.start('hello-api', process.execPath, [path.join(REPO_ROOT, 'examples', 'hello-api', 'index.js')], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', VERSION: 'bench', DEPLOYMENT_ID: 'dep_gateway_bench', INSTANCE_ID: 'gateway-bench-0' },
  });
  cleanup.add('hello-api', () => service.stop(2_000));
  await waitForPort(port);
  return { address: `127.0.0.1:${port}`, pid: service.pid! };
}

/** A route to one running instance, written as the engine would have left it. */
async function seedRoute(prisma: Db, workspaceId: string, address: string): Promise<string> {
  const project = await prisma.project.create({ data: { id: newId('prj'), workspaceId, slug: `gwbench-${Date.now().toString(36)}`, name: 'gateway bench' } });
  const environment = await prisma.environment.create({ data: { id: newId('env'), projectId: project.id, slug: 'production', isProduction: true } });
  const deploymentId = newId('dep');
  await prisma.deployment.create({ data: { id: deploymentId, projectId: project.id, environmentId: environment.id, image: 'file:examples/hello-api', status: 'ready' } });
  await prisma.instance.create({ data: { id: `${deploymentId}-0`, deploymentId, address, status: 'running' } });
  await prisma.ingressRoute.upsert({
    where: { hostname: HOSTNAME },
    create: { id: newId('rt'), hostname: HOSTNAME, projectId: project.id, environmentId: environment.id, deploymentId, sticky: 'live' },
    update: { deploymentId, projectId: project.id, environmentId: environment.id },
  });
  return deploymentId;
}

export interface GatewayBenchInput {
  prisma: Db;
  redisUrl: string;
  prefix: string;
  workspaceId: string;
  tempDir: string;
  cleanup: Cleanup;
  logger: Logger;
  progress(message: string): void;
  /** Processes this section starts are added here, so the results list every PID that must be gone afterwards. */
  started: { name: string; pid: number }[];
}

/**
 * Requests per second and latency to one hello-api instance with `connections` keep-alive connections: straight to
 * the app, through the gateway (the real service: routes from PostgreSQL, changes from Redis), and through Caddy and
 * nginx when their binaries exist. One after the other in one run, each with the same load generator.
 */
export async function benchGateway(input: GatewayBenchInput, options: GatewayBenchOptions): Promise<GatewayBenchResult> {
  const { cleanup, progress } = input;
  const app = await startHelloApi(cleanup);
  const pids: Partial<Record<Target, number[]>> = { direct: [app.pid] };
  input.started.push({ name: 'hello-api', pid: app.pid });
  await seedRoute(input.prisma, input.workspaceId, app.address);
  const gateway = await startGatewayProcesses({ redisUrl: input.redisUrl, prefix: input.prefix, prisma: input.prisma, port: 0, processes: options.processes, logger: input.logger });
  cleanup.add('gateway (throughput)', () => gateway.close());
  pids.gateway = (await gateway.stats()).map((p) => p.pid);
  if (gateway.processes > 1) for (const pid of pids.gateway) input.started.push({ name: 'gateway worker', pid });

  const peers: Record<'caddy' | 'nginx', PeerStart> = {
    caddy: await startCaddy(path.join(input.tempDir, 'caddy'), app.address),
    nginx: await startNginx(path.join(input.tempDir, 'nginx'), app.address),
  };
  for (const peer of Object.values(peers)) {
    if (!('proxy' in peer)) continue;
    cleanup.add(peer.proxy.name, () => peer.proxy.stop());
    pids[peer.proxy.name] = withChildren(peer.proxy.pid);
    input.started.push({ name: peer.proxy.name, pid: peer.proxy.pid });
  }

  const urls: Record<Target, string | undefined> = {
    direct: `http://${app.address}/`,
    gateway: `http://127.0.0.1:${gateway.port}/`,
    caddy: 'proxy' in peers.caddy ? `http://127.0.0.1:${peers.caddy.proxy.port}/` : undefined,
    nginx: 'proxy' in peers.nginx ? `http://127.0.0.1:${peers.nginx.proxy.port}/` : undefined,
  };
  const result: GatewayBenchResult = {
    upstream: 'examples/hello-api, one instance',
    connections: options.connections,
    secondsPerTarget: options.seconds,
    rounds: options.rounds,
    gatewayProcesses: gateway.processes,
    loadAverage: { before: load1(), after: 0 },
    rps: { direct: null, gateway: null, caddy: null, nginx: null },
    rpsByRound: {},
    cpuMsPer1kRequests: {},
    latency: {},
    failures: {},
    skipped: {},
    ratio: { gatewayToDirect: 0, gatewayToCaddy: null, gatewayToNginx: null },
    addedP99Ms: 0,
  };
  for (const name of ['caddy', 'nginx'] as const) {
    const peer = peers[name];
    if ('skipped' in peer) {
      result.skipped[name] = peer.skipped;
      progress(`gateway: skipping ${name}: ${peer.skipped}`);
    }
  }

  // A first unmeasured pass over every target: freshly started processes (the gateway's above all, whose code
  // the JIT has not seen yet) would otherwise lose their first round to warming up.
  for (const target of TARGETS) {
    const url = urls[target];
    if (url) await generateLoad(url, target === 'direct' ? undefined : HOSTNAME, { ...options, seconds: 1, warmupSeconds: 0 });
  }
  const runs: Partial<Record<Target, LoadResult[]>> = {};
  const cpu: Partial<Record<Target, { ms: number; requests: number }>> = {};
  for (let round = 1; round <= options.rounds; round++) {
    for (const target of TARGETS) {
      const url = urls[target];
      if (!url) continue;
      progress(`gateway: round ${round}/${options.rounds}, ${target}, ${options.connections} connections for ${options.seconds} s`);
      const before = (pids[target] ?? []).reduce((sum, pid) => sum + cpuMs(pid), 0);
      const load = await generateLoad(url, target === 'direct' ? undefined : HOSTNAME, options);
      const spent = (pids[target] ?? []).reduce((sum, pid) => sum + cpuMs(pid), 0) - before;
      if (load.requests === 0) throw new Error(`${target}: no request completed (${load.errors} errors, first: ${load.firstError ?? 'none'})`);
      (runs[target] ??= []).push(load);
      // The warm-up second is load too: count its requests at the measured rate.
      const requests = load.requests * ((options.seconds + options.warmupSeconds) / options.seconds);
      const total = (cpu[target] ??= { ms: 0, requests: 0 });
      total.ms += spent;
      total.requests += requests;
      if (load.non2xx || load.errors) {
        const failures = (result.failures[target] ??= { non2xx: 0, errors: 0 });
        failures.non2xx += load.non2xx;
        failures.errors += load.errors;
        failures.firstError ??= load.firstError;
      }
    }
  }
  for (const target of TARGETS) {
    const measured = runs[target];
    if (!measured) continue;
    const rps = measured.map((r) => r.rps);
    const typical = measured.find((r) => r.rps === median(rps))!;
    result.rps[target] = typical.rps;
    result.rpsByRound[target] = rps;
    result.latency[target] = typical.latency;
    const spent = cpu[target]!;
    if (spent.ms > 0) result.cpuMsPer1kRequests[target] = Math.round((spent.ms / spent.requests) * 1000 * 10) / 10;
  }
  result.loadAverage.after = load1();

  const rps = result.rps;
  const of = (peer: number | null) => (peer ? Number((rps.gateway! / peer).toPrecision(3)) : null);
  result.ratio = { gatewayToDirect: of(rps.direct)!, gatewayToCaddy: of(rps.caddy), gatewayToNginx: of(rps.nginx) };
  result.addedP99Ms = Math.round((result.latency.gateway!.p99Ms - result.latency.direct!.p99Ms) * 1000) / 1000;
  return result;
}
