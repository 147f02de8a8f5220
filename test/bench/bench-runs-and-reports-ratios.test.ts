import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  // The benchmark must start (and stop) its own servers here, not borrow the test run's.
  delete env.REDIS_URL;
  delete env.DATABASE_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function onPath(binary: string): boolean {
  return [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/bin'].some((dir) => dir && existsSync(path.join(dir, binary)));
}

const positive = expect.any(Number);
function expectPositive(values: Record<string, unknown>, keys: string[]): void {
  for (const key of keys) {
    expect(values[key]).toEqual(positive);
    expect(values[key] as number).toBeGreaterThan(0);
  }
}

describe('npm run bench --quick', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'deployflow-bench-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0, prints the tables and writes positive deployflow/bare ratios, machine facts, and stops everything it started', async () => {
    const out = path.join(dir, 'results.json');
    const run = await runBench(['--quick', '--out', out]);
    if (run.code !== 0) throw new Error(`bench exited ${run.code}\n${run.stderr}\n${run.stdout}`);

    expect(run.stdout).toContain('Orchestration overhead');
    expect(run.stdout).toContain("app's own wait factored out");
    expect(run.stdout).toContain('Rollback-to-traffic');
    expect(run.stdout).toMatch(/sequential ratio\s+\S+x/);
    expect(run.stdout).toContain(`results written to ${out}`);

    const results = JSON.parse(readFileSync(out, 'utf8'));
    expect(results.machine).toMatchObject({ cpus: os.cpus().length, node: process.version });
    expect(results.options).toMatchObject({ quick: true, n: 2, concurrency: 2, switches: 2 });
    for (const mode of ['sequential', 'concurrent'] as const) {
      const comparison = results.deploy[mode];
      expect(comparison.deployflow.count).toBe(2);
      expectPositive(comparison.ratio, ['p50', 'p95', 'mean', 'throughput']);
      expectPositive(comparison.deployflow.latency, ['p50Ms', 'p95Ms', 'meanMs']);
      expectPositive(comparison.bare.latency, ['p50Ms', 'p95Ms', 'meanMs']);
    }
    expectPositive(results.deploy.engineOnly.ratio.stepSumMinusPoll, ['p50', 'p95', 'mean']);
    expectPositive(results.deploy.engineOnly.ratio.latencyMinusPoll, ['p50', 'p95', 'mean']);
    expect(Object.keys(results.deploy.steps)).toHaveLength(9);
    expect(results.rollback.count).toBe(2);
    expectPositive(results.rollback.ratio.toTraffic, ['p50', 'p95', 'mean']);
    expectPositive(results.rollback.ratio.toSucceeded, ['p50', 'p95', 'mean']);

    // Issue 12's stable keys.
    expectPositive(results.rollback.toTraffic, ['p50Ms', 'p95Ms', 'p99Ms']);
    expectPositive(results.deploy.instantKrane.ratio, ['throughput', 'p50', 'p95']);
    expect(results.deploy.instantKrane.n).toBe(4);
    for (const mode of ['sequential', 'concurrent'] as const) {
      expectPositive(results.deploy.instantKrane[mode].deployflow.latency, ['p50Ms', 'p95Ms', 'p99Ms']);
      expectPositive(results.deploy.instantKrane[mode].bare.latency, ['p50Ms', 'p95Ms', 'p99Ms']);
    }
    // The floor: the bare flow with the least per-step bookkeeping, its share of the bare flow's throughput and its CPU.
    const floor = results.deploy.instantKrane.floor;
    expectPositive(floor, ['throughputRatioToBare']);
    expect(floor.concurrent.count).toBe(4);
    expectPositive(floor.cpuMsPerFlow, ['bench process (engine, instant Krane)']);
    expect(run.stdout).toMatch(/bare \+ bookkeeping: the bare flow whose every step[^]*flows\/s, \S+x of the bare flow's/);
    const underLoad = results.rollback.underPollLoad;
    expectPositive(underLoad, ['p50Ms', 'p95Ms', 'p99Ms']);
    expect(underLoad).toMatchObject({ pollingDeploys: 20, pollIntervalMs: 1000, stillPollingAfter: 20 });
    expectPositive(underLoad.unloaded.toTraffic, ['p50Ms', 'p95Ms', 'p99Ms']);
    expectPositive(underLoad.ratio, ['p50', 'p99']);
    const gateway = results.gateway;
    expectPositive(gateway.rps, ['direct', 'gateway']);
    for (const peer of ['caddy', 'nginx'] as const) {
      if (onPath(peer)) {
        expectPositive(gateway.rps, [peer]);
        expectPositive(gateway.latency[peer], ['p50Ms', 'p95Ms', 'p99Ms']);
      } else {
        expect(gateway.rps[peer]).toBeNull();
        expect(gateway.skipped[peer]).toContain('not found');
        expect(run.stderr).toContain(`skipping ${peer}`);
      }
    }
    for (const target of ['direct', 'gateway'] as const) expectPositive(gateway.latency[target], ['p50Ms', 'p95Ms', 'p99Ms']);
    expect(gateway.failures).toEqual({});
    expect(gateway.gatewayProcesses).toBe(os.cpus().length);
    expect(run.stdout).toContain('instant Krane');
    expect(run.stdout).toContain('deploys poll never-ready instances');
    expect(run.stdout).toContain('Gateway throughput');

    const started: { name: string; pid: number }[] = results.startedProcesses;
    const names = started.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['postgres', 'redis-server', 'hello-api']));
    for (const { pid } of started) expect(alive(pid)).toBe(false);
  }, 420_000);
});
