import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchOptions } from './options';
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

export interface ModeComparison {
  deployflow: ModeResult;
  bare: ModeResult;
  /** deployflow / bare: latency ratios are > 1 when the engine is slower; the throughput ratio is < 1 then. */
  ratio: LatencyRatio & { throughput: number };
}

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
  deploy: {
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
  };
  rollback: {
    count: number;
    toTraffic: LatencySummary;
    toSucceeded: LatencySummary;
    bare: ModeResult;
    /** deployflow / bare 3-step flow. */
    ratio: { toTraffic: LatencyRatio; toSucceeded: LatencyRatio };
  };
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

export function renderReport(r: BenchResults): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(`deployflow benchmark  ${r.generatedAt}`);
  out.push(`machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.totalMemoryMb} MiB, node ${m.node}, ${m.platform}/${m.arch}, load ${m.loadAverage1m}`);
  out.push(
    `setup: ${r.setup.redis}, ${r.setup.database}, workers in process (concurrency ${r.setup.workerConcurrency} per queue), embedded Krane, ` +
      `poll interval ${r.setup.pollIntervalMs} ms, ${r.setup.stepAttempts} attempts, backoff ${r.setup.backoffMs} ms`,
  );
  out.push('');
  out.push('1. Orchestration overhead: deploy of file:examples/hello-api (9 steps, request -> operation succeeded)');
  out.push('   vs a bare BullMQ flow of the same shape (root + 8 steps + 1 routing child, no-op processors), same Redis');
  out.push(`   concurrent mode: ${r.setup.concurrentDeploys}`);
  out.push(
    table(
      ['mode / flow', 'n', 'p50 ms', 'p95 ms', 'mean ms', 'flows/s'],
      [...modeRows('sequential', r.deploy.sequential), ...modeRows(`concurrency ${r.deploy.concurrent.deployflow.concurrency}`, r.deploy.concurrent)],
    ),
  );
  out.push('   ratio = deployflow / bare (flows/s ratio < 1 means fewer flows per second)');
  out.push('');
  out.push("2. Deploy flow with the app's own wait factored out (sequential deploys; poll-instances = app start + polling)");
  const e = r.deploy.engineOnly;
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
  out.push(table(['step', 'n', 'p50 ms', 'p95 ms', 'mean ms'], Object.entries(r.deploy.steps).map(([name, s]) => summaryRow(name, s))));
  out.push('');
  const rb = r.rollback;
  out.push(`3. Rollback-to-traffic: ${rb.count} switches alternating rollback/promote between two ready deployments,`);
  out.push(`   gateway polled every ~${r.setup.gatewayPollIntervalMs} ms on the live hostname; bare = 3-step flow (validate/check/switch shape)`);
  out.push(
    table(
      ['series', 'n', 'p50 ms', 'p95 ms', 'mean ms', 'vs bare p50 / p95 / mean'],
      [
        summaryRow('requestSwitch -> target served by gateway', rb.toTraffic, [ratioText(rb.ratio.toTraffic)]),
        summaryRow('requestSwitch -> operation succeeded', rb.toSucceeded, [ratioText(rb.ratio.toSucceeded)]),
        summaryRow('bare 3-step flow (sequential)', rb.bare.latency),
      ],
    ),
  );
  return out.join('\n');
}

export function writeResults(file: string, results: BenchResults): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
}
