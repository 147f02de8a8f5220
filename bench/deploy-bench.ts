import { performance } from 'node:perf_hooks';
import { DeployStep } from '../test/support/flow-steps';
import { createDeploy } from '../src/operations/create-deploy';
import { DeployRequest } from '../src/operations/deploy-request';
import { assertSucceeded, BenchEngine, untilOperationFails } from './bench-engine';

export const HELLO_API = 'file:examples/hello-api';

export interface DeployMeasurement {
  deploymentId: string;
  /** Request (createDeploy) → root job completed (operation succeeded). */
  latencyMs: number;
  /** Sum of the nine DeploymentStep rows' endedAt − startedAt. */
  stepSumMs: number;
  /** poll-instances alone: mostly the app starting and becoming healthy, plus the poll interval. */
  pollInstancesMs: number;
  steps: Record<string, number>;
}

/** One real deploy of examples/hello-api, measured end to end, with its step timeline read back from the database. */
export async function measureDeploy(bench: BenchEngine, projectId: string, version: string): Promise<DeployMeasurement> {
  const { prisma, engine, watch, caller } = bench;
  const request = DeployRequest.parse({ projectId, image: HELLO_API, git: { branch: 'main' }, runtime: { env: { VERSION: version } } });
  const started = performance.now();
  const { deploymentId, operationId } = await createDeploy({ prisma, enqueue: engine.enqueue }, caller, request);
  const completed = await watch.wait(operationId, untilOperationFails(prisma, operationId));
  const latencyMs = completed - started;
  await assertSucceeded(prisma, operationId);

  const rows = await prisma.deploymentStep.findMany({ where: { ownerId: deploymentId }, orderBy: { position: 'asc' } });
  const steps: Record<string, number> = {};
  for (const row of rows) {
    if (!row.startedAt || !row.endedAt) throw new Error(`step ${row.name} of ${deploymentId} has no start or end`);
    steps[row.name] = row.endedAt.getTime() - row.startedAt.getTime();
  }
  const stepSumMs = Object.values(steps).reduce((sum, ms) => sum + ms, 0);
  return { deploymentId, latencyMs, stepSumMs, pollInstancesMs: steps[DeployStep.pollInstances] ?? 0, steps };
}

/** Stops the app instances of measured deploys between phases, so later phases do not share the CPU with them. */
export async function removeFromKrane(bench: BenchEngine, deploymentIds: string[]): Promise<void> {
  await Promise.all(deploymentIds.map((id) => bench.krane.client.delete(bench.workspace.slug, id)));
}
