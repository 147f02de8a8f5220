import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GatewayBenchResult } from './gateway-bench';
import type { BenchOptions } from './options';
import type { UnderPollLoadResult } from './poll-load-bench';
import type { StartedProcess } from './services';
import type { LatencyRatio, LatencySummary } from './stats';

export interface Machine {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
  arch: string;
  totalMemoryMb: number;
  loadAverage1m: number;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: os.platform(),
    arch: os.arch(),
    totalMemoryMb: Math.round(os.totalmem() / 1024 / 1024),
    loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

/** One series run in one mode: latency per flow and flows completed per second of wall time. */
export interface ModeResult {
  count: number;
  concurrency: number;
  latency: LatencySummary;
  throughputPerSec: number;
  wallMs: number;
}

/** The deploy flow against the instant Krane, beside the bare flow of the same shape (bench/instant-bench.ts). */
export interface InstantKraneResult {
  /** Deploys per mode. */
  n: number;
  sequential: ModeComparison;
  /** `ratio.throughput` = deployflow flows/s ÷ bare flows/s with `concurrency` lanes. */
  concurrent: ModeComparison;
  /**
   * CPU milliseconds per flow in the concurrent modes, by process (read from /proc; redis-server and PostgreSQL only
   * when this run started them), and the whole machine's busy time per flow for comparison.
   */
  cpuMsPerFlow: { deployflow: Record<string, number>; bare: Record<string, number> };
  /**
   * The bare flow again, each step doing the least bookkeeping a durable step record takes (a statement when it
   * starts and one when it ends, an event published for each; `bench/bare-flow.ts`), in the concurrent mode: how close
   * to the bare flow any engine keeping such records can come on this machine.
   */
  floor?: { concurrent: ModeResult; throughputRatioToBare: number; cpuMsPerFlow: Record<string, number> };
  /** Per step (DeploymentStep endedAt − startedAt), sequential deploys. */
  steps: Record<string, LatencySummary>;
}

export interface ModeComparison {
  deployflow: ModeResult;
  bare: ModeResult;
  /** deployflow / bare: latency ratios are > 1 when the engine is slower; the throughput ratio is < 1 then. */
  ratio: LatencyRatio & { throughput: number };
}

/** Real deploys of examples/hello-api (the `deploy` section). */
export interface RealDeployResults {
  sequential: ModeComparison;
  concurrent: ModeComparison;
  /** Sequential deploys with the app's own wait (poll-instances) taken out, against the bare 9-step flow. */
  engineOnly: {
    stepSumMinusPoll: LatencySummary;
    latencyMinusPoll: LatencySummary;
    pollInstances: LatencySummary;
    bare: LatencySummary;
    ratio: { stepSumMinusPoll: LatencyRatio; latencyMinusPoll: LatencyRatio };
  };
  steps: Record<string, LatencySummary>;
}

/** Switches between two real deploys (the `deploy` section). */
export interface RealSwitchResults {
  count: number;
  toTraffic: LatencySummary;
  toSucceeded: LatencySummary;
  bare: ModeResult;
  /** deployflow / bare 3-step flow. */
  ratio: { toTraffic: LatencyRatio; toSucceeded: LatencyRatio };
}

/**
 * Stable keys (issue 12): rollback.toTraffic.p99Ms, deploy.instantKrane.ratio.throughput,
 * rollback.underPollLoad.p99Ms, gateway.rps.{direct,gateway,caddy,nginx}. A section left out with --only is absent.
 */
export interface BenchResults {
  generatedAt: string;
  machine: Machine;
  options: Omit<BenchOptions, 'out'>;
  setup: {
    redis: string;
    database: string;
    workerConcurrency: number;
    pollIntervalMs: number;
    stepAttempts: number;
    backoffMs: number;
    gatewayPollIntervalMs: number;
    concurrentDeploys: string;
  };
  deploy: Partial<RealDeployResults> & {
    /** The deploy flow against the instant Krane; `ratio.throughput` is the concurrent mode's. */
    instantKrane?: InstantKraneResult & { ratio: ModeComparison['ratio'] };
  };
  rollback: Partial<RealSwitchResults> & { underPollLoad?: UnderPollLoadResult };
  gateway?: GatewayBenchResult;
  /** 1-minute load average at the start and at the end of the run. */
  loadAverage: { start: number; end: number };
  startedProcesses: StartedProcess[];
}

export function modeResult(latencies: number[], wallMs: number, concurrency: number, summary: LatencySummary): ModeResult {
  return { count: latencies.length, concurrency, latency: summary, throughputPerSec: Math.round((latencies.length / (wallMs / 1000)) * 100) / 100, wallMs: Math.round(wallMs) };
}

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)))];
  const widths = headers.map((_, col) => Math.max(...cells.map((row) => (row[col] ?? '').length)));
  const line = (row: string[]) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return value >= 100 ? value.toFixed(0) : value.toFixed(2);
}

const x = (value: number) => `${value < 1 ? String(value) : formatNumber(value)}x`;

function modeRows(label: string, comparison: ModeComparison): (string | number)[][] {
  const row = (who: string, r: ModeResult) => [`${label} ${who}`, r.count, r.latency.p50Ms, r.latency.p95Ms, r.latency.meanMs, r.throughputPerSec];
  const { ratio } = comparison;
  return [row('deployflow', comparison.deployflow), row('bare', comparison.bare), [`${label} ratio`, '', x(ratio.p50), x(ratio.p95), x(ratio.mean), x(ratio.throughput)]];
}

function summaryRow(label: string, s: LatencySummary, extra: string[] = []): (string | number)[] {
  return [label, s.count, s.p50Ms, s.p95Ms, s.meanMs, ...extra];
}

const ratioText = (r: LatencyRatio) => `${x(r.p50)} / ${x(r.p95)} / ${x(r.mean)}`;

function renderRealSections(r: BenchResults, out: string[]): void {
  const d = r.deploy;
  if (d.sequential && d.concurrent && d.engineOnly && d.steps) {
    out.push('');
    out.push('1. Orchestration overhead: deploy of file:examples/hello-api (9 steps, request -> operation succeeded)');
    out.push('   vs a bare BullMQ flow of the same shape (root + 8 steps + 1 routing child, no-op processors), same Redis');
    out.push(`   concurrent mode: ${r.setup.concurrentDeploys}`);
    out.push(
      table(
        ['mode / flow', 'n', 'p50 ms', 'p95 ms', 'mean ms', 'flows/s'],
        [...modeRows('sequential', d.sequential), ...modeRows(`concurrency ${d.concurrent.deployflow.concurrency}`, d.concurrent)],
      ),
    );
    out.push('   ratio = deployflow / bare (flows/s ratio < 1 means fewer flows per second)');
    out.push('');
    out.push("2. Deploy flow with the app's own wait factored out (sequential deploys; poll-instances = app start + polling)");
    const e = d.engineOnly;
    out.push(
      table(
        ['series', 'n', 'p50 ms', 'p95 ms', 'mean ms', 'vs bare p50 / p95 / mean'],
        [
          summaryRow('sum of step durations - poll-instances', e.stepSumMinusPoll, [ratioText(e.ratio.stepSumMinusPoll)]),
          summaryRow('request->succeeded - poll-instances', e.latencyMinusPoll, [ratioText(e.ratio.latencyMinusPoll)]),
          summaryRow('poll-instances', e.pollInstances),
          summaryRow('bare 9-step flow (sequential)', e.bare),
        ],
      ),
    );
    out.push('');
    out.push('   per step (DeploymentStep endedAt - startedAt, sequential deploys)');
    out.push(table(['step', 'n', 'p50 ms', 'p95 ms', 'mean ms'], Object.entries(d.steps).map(([name, s]) => summaryRow(name, s))));
  }
  const rb = r.rollback;
  if (rb.toTraffic && rb.toSucceeded && rb.bare && rb.ratio) {
    out.push('');
    out.push(`3. Rollback-to-traffic: ${rb.count} switches alternating rollback/promote between two ready deployments,`);
    out.push(`   gateway polled every ~${r.setup.gatewayPollIntervalMs} ms on the live hostname; bare = 3-step flow (validate/check/switch shape)`);
    out.push(
      table(
        ['series', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'mean ms', 'vs bare p50 / p95 / mean'],
        [
          summaryRow99('requestSwitch -> target served by gateway', rb.toTraffic, [ratioText(rb.ratio.toTraffic)]),
          summaryRow99('requestSwitch -> operation succeeded', rb.toSucceeded, [ratioText(rb.ratio.toSucceeded)]),
          summaryRow99('bare 3-step flow (sequential)', rb.bare.latency),
        ],
      ),
    );
  }
}

function summaryRow99(label: string, s: LatencySummary, extra: string[] = []): (string | number)[] {
  return [label, s.count, s.p50Ms, s.p95Ms, s.p99Ms, s.meanMs, ...extra];
}

function renderInstant(r: BenchResults, out: string[]): void {
  const i = r.deploy.instantKrane;
  if (!i) return;
  out.push('');
  out.push(`4. Deploy flow against the instant Krane (instances RUNNING at once, a trivial HTTP app each): ${i.n} deploys per mode`);
  out.push('   vs the bare 9-step BullMQ flow, same Redis; flows/s ratio = deployflow / bare (goal >= 0.5 concurrent)');
  out.push(
    table(
      ['mode / flow', 'n', 'p50 ms', 'p95 ms', 'mean ms', 'flows/s'],
      [...modeRows('sequential', i.sequential), ...modeRows(`concurrency ${i.concurrent.deployflow.concurrency}`, i.concurrent)],
    ),
  );
  out.push('');
  out.push(`   CPU ms per flow, concurrency ${i.concurrent.deployflow.concurrency}`);
  const floor = i.floor;
  out.push(
    table(
      ['process', 'deployflow', 'bare', ...(floor ? ['bare + bookkeeping'] : [])],
      Object.keys(i.cpuMsPerFlow.deployflow).map((name) => [name, i.cpuMsPerFlow.deployflow[name], i.cpuMsPerFlow.bare[name] ?? 0, ...(floor ? [floor.cpuMsPerFlow[name] ?? 0] : [])]),
    ),
  );
  if (floor) {
    out.push('');
    out.push(`   bare + bookkeeping: the bare flow whose every step writes its row when it starts and when it ends and publishes an`);
    out.push(`   event for each (2 statements + 2 publishes per step): ${floor.concurrent.throughputPerSec} flows/s, ${x(floor.throughputRatioToBare)} of the bare flow's`);
  }
  out.push('');
  out.push('   per step (sequential deploys, instant Krane)');
  out.push(table(['step', 'n', 'p50 ms', 'p95 ms', 'mean ms'], Object.entries(i.steps).map(([name, s]) => summaryRow(name, s))));
}

function renderPollLoad(r: BenchResults, out: string[]): void {
  const p = r.rollback.underPollLoad;
  if (!p) return;
  out.push('');
  out.push(`5. Rollback-to-traffic while ${p.pollingDeploys} deploys poll never-ready instances every ${p.pollIntervalMs} ms (instant Krane,`);
  out.push(`   gateway of ${p.gatewayProcesses} process(es); ${p.stillPollingAfter} still polling after the last switch; setup ${p.setupMs} ms)`);
  out.push(
    table(
      ['series', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'mean ms'],
      [
        summaryRow99('unloaded: requestSwitch -> target served', p.unloaded.toTraffic),
        summaryRow99('unloaded: requestSwitch -> succeeded', p.unloaded.toSucceeded),
        summaryRow99('under poll load: -> target served', p.loaded.toTraffic),
        summaryRow99('under poll load: -> succeeded', p.loaded.toSucceeded),
      ],
    ),
  );
  out.push(`   loaded / unloaded to traffic: p50 ${x(p.ratio.p50)}, p99 ${x(p.ratio.p99)} (goal p99 <= 2x)`);
  if (p.pollCost) {
    const c = p.pollCost.cpuMsPerPoll;
    const servers = [c.redis !== undefined ? `Redis ${c.redis} ms` : '', c.postgres !== undefined ? `PostgreSQL ${c.postgres} ms` : ''].filter(Boolean).join(', ');
    out.push(`   polls before the loaded switches: ${p.pollCost.pollsPerSecond}/s; CPU per poll: this process ${c.benchProcess} ms${servers ? `, ${servers}` : ''}`);
  }
}

function renderGateway(r: BenchResults, out: string[]): void {
  const g = r.gateway;
  if (!g) return;
  out.push('');
  out.push(`6. Gateway throughput: ${g.upstream}, ${g.connections} keep-alive connections, ${g.rounds} interleaved round(s) of ${g.secondsPerTarget} s`);
  out.push(`   per target (median round shown); gateway = ${g.gatewayProcesses} process(es); load average ${g.loadAverage.before} -> ${g.loadAverage.after}`);
  const rows = (['direct', 'gateway', 'caddy', 'nginx'] as const).map((target) => {
    const latency = g.latency[target];
    if (!latency) return [target, 'skipped', g.skipped[target] ?? '', '', '', '', ''];
    const failures = g.failures[target];
    return [
      target,
      g.rps[target] ?? 0,
      latency.p50Ms,
      latency.p95Ms,
      latency.p99Ms,
      g.cpuMsPer1kRequests[target] ?? '',
      failures ? `${failures.non2xx} non-2xx, ${failures.errors} errors` : '0',
    ];
  });
  out.push(table(['target', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'CPU ms/1k req', 'failures'], rows));
  const ratioOf = (v: number | null) => (v === null ? 'n/a' : x(v));
  out.push(`   gateway / direct ${ratioOf(g.ratio.gatewayToDirect)}, / caddy ${ratioOf(g.ratio.gatewayToCaddy)}, / nginx ${ratioOf(g.ratio.gatewayToNginx)}; added p99 over direct ${g.addedP99Ms} ms`);
  out.push('   (CPU ms/1k req: the proxy processes\' own CPU time; for direct, the app\'s)');
}

export function renderReport(r: BenchResults): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(`deployflow benchmark  ${r.generatedAt}`);
  out.push(`machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.totalMemoryMb} MiB, node ${m.node}, ${m.platform}/${m.arch}, load ${r.loadAverage.start} at start, ${r.loadAverage.end} at end`);
  out.push(
    `setup: ${r.setup.redis}, ${r.setup.database}, workers in process (concurrency ${r.setup.workerConcurrency} per queue), ` +
      `poll interval ${r.setup.pollIntervalMs} ms, ${r.setup.stepAttempts} attempts, backoff ${r.setup.backoffMs} ms`,
  );
  renderRealSections(r, out);
  renderInstant(r, out);
  renderPollLoad(r, out);
  renderGateway(r, out);
  return out.join('\n');
}

export function writeResults(file: string, results: BenchResults): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
}
