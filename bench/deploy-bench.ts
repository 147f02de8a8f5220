import { performance } from 'node:perf_hooks';
import { DeployStep } from '../flows/step-names';
import { createDeploy } from '../src/operations/create-deploy';
import { DeployRequest } from '../src/operations/deploy-request';
import { assertSucceeded, BenchEngine, untilOperationFails } from './bench-engine';

export const HELLO_API = 'file:examples/hello-api';

export interface DeployRun {
  deploymentId: string;
  operationId: string;
  /** Request (createDeploy) → root job completed (operation succeeded). */
  latencyMs: number;
}

export interface DeployMeasurement extends DeployRun {
  /** Sum of the nine DeploymentStep rows' endedAt − startedAt. */
  stepSumMs: number;
  /** poll-instances alone: mostly the app starting and becoming healthy, plus the poll interval. */
  pollInstancesMs: number;
  steps: Record<string, number>;
}

/** Asks for a deploy of examples/hello-api as the API would (`createDeploy`); resolves once it is enqueued. */
export async function requestDeploy(bench: BenchEngine, projectId: string, version: string, env: Record<string, string> = {}) {
  const request = DeployRequest.parse({ projectId, image: HELLO_API, git: { branch: 'main' }, runtime: { env: { VERSION: version, ...env } } });
  return createDeploy({ prisma: bench.prisma, sql: bench.sql, enqueue: bench.engine.enqueue }, bench.caller, request);
}

/** One deploy, timed from the request to its root job's completion and nothing else (no reads in the timed part). */
export async function runDeploy(bench: BenchEngine, projectId: string, version: string): Promise<DeployRun> {
  const started = performance.now();
  const { deploymentId, operationId } = await requestDeploy(bench, projectId, version);
  const completed = await bench.watch.wait(operationId, untilOperationFails(bench.prisma, operationId));
  return { deploymentId, operationId, latencyMs: completed - started };
}

/** After the timing: the operation succeeded, and its nine step rows' durations. */
export async function readDeploy(bench: BenchEngine, run: DeployRun): Promise<DeployMeasurement> {
  await assertSucceeded(bench.prisma, run.operationId);
  const rows = await bench.prisma.deploymentStep.findMany({ where: { ownerId: run.deploymentId }, orderBy: { position: 'asc' } });
  const steps: Record<string, number> = {};
  for (const row of rows) {
    if (!row.startedAt || !row.endedAt) throw new Error(`step ${row.name} of ${run.deploymentId} has no start or end`);
    steps[row.name] = row.endedAt.getTime() - row.startedAt.getTime();
  }
  const stepSumMs = Object.values(steps).reduce((sum, ms) => sum + ms, 0);
  return { ...run, stepSumMs, pollInstancesMs: steps[DeployStep.pollInstances] ?? 0, steps };
}

/** One real deploy of examples/hello-api, measured end to end, with its step timeline read back from the database. */
export async function measureDeploy(bench: BenchEngine, projectId: string, version: string): Promise<DeployMeasurement> {
  return readDeploy(bench, await runDeploy(bench, projectId, version));
}

/** Stops the app instances of measured deploys between phases, so later phases do not share the CPU with them. */
export async function removeFromKrane(bench: BenchEngine, deploymentIds: string[]): Promise<void> {
  await Promise.all(deploymentIds.map((id) => bench.krane.client.delete(bench.workspace.slug, id)));
}
