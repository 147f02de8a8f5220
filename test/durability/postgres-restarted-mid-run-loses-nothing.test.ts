import type { Settings } from '../../src/app/settings';
import type { PostgresStopMode } from '../support/own-services';
import { DurabilityBed, SeededProject, startDurabilityBed } from './durability-bed';
import { inspectFinalState } from './final-state';

// Product defaults for retries (5 attempts, backoff from 500 ms: 7.5 s from the first failure to the last attempt), so
// the proof is about the shipped tolerance: a step that hits the database while it restarts retries past the outage.
const SETTINGS: Partial<Settings> = { pollIntervalMs: 200, pollDeadlineMs: 60_000, stepAttempts: 5, backoffMs: 500, lockDurationMs: 3_000, stalledIntervalMs: 1_000 };
const PROJECTS = 3;
const DOWN_MS = 1_500;

describe('PostgreSQL restarted while deploys poll and rollbacks or promotes run', () => {
  let bed: DurabilityBed | undefined;
  let projects: SeededProject[];
  let first: string[];
  let slowOfPhase1: string[];
  const figures: Record<string, unknown>[] = [];
  beforeAll(async () => {
    bed = await startDurabilityBed({ settings: SETTINGS, workers: 2, concurrency: 5 });
    projects = await bed.seedProjects(PROJECTS);
    // Two ready deployments per project before any fault: the first is the rollback target.
    const before: { deploymentId: string; operationId: string }[] = [];
    for (const p of projects) for (let i = 0; i < 2; i++) before.push(await bed.deploy(p));
    const ready = await bed.settle(before.map((d) => d.operationId), { timeoutMs: 90_000 });
    expect(ready.unfinished).toEqual([]);
    first = projects.map((_, n) => before[n * 2].deploymentId);
  }, 180_000);
  afterAll(async () => {
    console.log(`postgres restart figures: ${JSON.stringify(figures)}`);
    await bed?.close();
  }, 120_000);

  /**
   * One slow deploy per project (healthy after 5–6 s, so it polls across the outage), then — once they poll — one
   * rollback or promote per project, then PostgreSQL goes down at once and comes back `DOWN_MS` later.
   */
  async function runThroughRestart(mode: PostgresStopMode, switches: { kind: 'rollback' | 'promote'; targets: string[] }) {
    const b = bed!;
    const slow: { deploymentId: string; operationId: string }[] = [];
    for (const p of projects) slow.push(await b.deploy(p, { HEALTHY_AFTER_MS: String(5_000 + 500 * slow.length) }));
    await b.waitUntilPolling(slow.map((d) => d.deploymentId), PROJECTS);
    const switchOps: string[] = [];
    for (const [n, p] of projects.entries()) switchOps.push(await b.switchTo(switches.kind, p, switches.targets[n]));

    const down = Date.now();
    const restart = await b.services.restartPostgres({ mode, downMs: DOWN_MS });
    const unavailableMs = Date.now() - down;

    const operationIds = [...slow.map((d) => d.operationId), ...switchOps];
    const alone = await b.settle(operationIds, { timeoutMs: 60_000 });
    const reconcilerPass = await b.reconcile();
    const settled = alone.settled ? alone : await b.settle(operationIds, { timeoutMs: 60_000, reconcileEveryMs: 3_000 });
    expect(settled.unfinished).toEqual([]);
    const explanation = await b.explainUnsucceeded(operationIds);
    if (explanation) console.log(`operations that did not succeed after the ${mode} restart:\n${explanation}`);
    expect(explanation).toBe('');

    // The outage hit running steps, and they waited it out without spending attempts.
    const jobs = await b.jobHistory(operationIds);
    expect(jobs.outageWaits).toBeGreaterThan(0);
    figures.push({
      mode,
      slowDeploys: slow.length,
      [`${switches.kind}s`]: switchOps.length,
      unavailableMs,
      restart,
      jobs,
      settledWithoutReconcilerMs: alone.settled ? alone.waitedMs : null,
      reconcilerPass,
      workerProcessesThatExitedOnTheirOwn: b.pool.stats.exitedOnTheirOwn.length,
    });
    return slow.map((d) => d.deploymentId);
  }

  it('after a crash (SIGKILL of the whole server): deploys and rollbacks all succeed and each project is pinned to its target', async () => {
    const b = bed!;
    slowOfPhase1 = await runThroughRestart('crash', { kind: 'rollback', targets: first });
    // Each rollback was requested before the slow deploys reached routing, so they queued behind it and left the pin.
    for (const [n, p] of projects.entries()) {
      const project = await b.db.prisma.project.findUniqueOrThrow({ where: { id: p.project.id } });
      expect({ live: project.liveDeploymentId, pinned: project.isRolledBack }).toEqual({ live: first[n], pinned: true });
    }
    const state = await inspectFinalState(b, projects.map((p) => p.project.id));
    expect(state.violations).toEqual([]);
    expect(state.deployments).toEqual({ ready: PROJECTS * 3 });
    expect(state.kraneCreations).toBe(PROJECTS * 3);
  }, 300_000);

  it('after a fast shutdown (SIGINT): deploys and promotes all succeed and the newest deploy ends live, unpinned', async () => {
    const b = bed!;
    // Promote the deploys that stayed behind the pin; the new slow deploys route after the promotes and go live.
    const slow = await runThroughRestart('fast', { kind: 'promote', targets: slowOfPhase1 });
    for (const [n, p] of projects.entries()) {
      const project = await b.db.prisma.project.findUniqueOrThrow({ where: { id: p.project.id } });
      expect({ live: project.liveDeploymentId, pinned: project.isRolledBack }).toEqual({ live: slow[n], pinned: false });
    }
    const state = await inspectFinalState(b, projects.map((p) => p.project.id));
    expect(state.violations).toEqual([]);
    expect(state.deployments).toEqual({ ready: PROJECTS * 4 });
    expect(state.kraneCreations).toBe(PROJECTS * 4);
    figures.push({ kraneCreateCalls: state.kraneCreateCalls, kraneCreations: state.kraneCreations, operations: state.operations });
  }, 300_000);
});
