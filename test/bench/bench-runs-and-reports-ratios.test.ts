import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

  it('exits 0, prints the tables and writes positive deployflow/bare ratios, machine facts, and stops the servers it started', async () => {
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

    const started: { name: string; pid: number }[] = results.startedProcesses;
    expect(started.map((p) => p.name).sort()).toEqual(['postgres', 'redis-server']);
    for (const { pid } of started) expect(alive(pid)).toBe(false);
  }, 240_000);
});
