import { Job, Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { z } from 'zod';
import { defineFlow, onRouting } from '../../src/engine/define-flow';
import { OperationJobData, type StepJobFields } from '../../src/engine/job-data';
import { runStep, validateStepJob } from '../../src/engine/step-runner';
import { newId } from '../../src/ids';
import type { AppliedRoute } from '../../src/routing/changes/route-change-types';
import { decideCanaryWeight } from '../../src/routing/plans/decide-canary-weight';
import { routingStep, type RoutingServices } from '../../src/routing/routing-step';
import type { EngineHarness } from '../support/engine-harness';

/**
 * Until releases exist, the small flow a test drives weight changes with: one `set-canary-weight` routing step (the
 * shape a release's stage uses), and for contrast a plain `move-stable` step that moves production's live and
 * environment routes to another deployment as a rollback or promote does. Both run through the real routing-step
 * machinery (project turn, fence, one transaction, RouteChange, publication) on a queue of the test's own.
 */
const FixtureData = OperationJobData.extend({
  environmentId: z.string(),
  deploymentId: z.string(),
  weight: z.number().optional(),
});
type FixtureData = z.infer<typeof FixtureData>;

const setCanaryWeight = routingStep<RoutingServices, FixtureData, Record<never, never>, { sequence: number; changed: number }>({
  name: 'set-canary-weight',
  takesTurn: 'at-pickup',
  decide: ({ data }, tx) =>
    decideCanaryWeight(tx, { projectId: data.projectId, environmentId: data.environmentId, canaryDeploymentId: data.deploymentId, weight: data.weight ?? Number.NaN }),
  output: (_step, record) => ({ sequence: record.sequence, changed: record.changes.length }),
});

const moveStable = routingStep<RoutingServices, FixtureData, Record<never, never>, { sequence: number }>({
  name: 'move-stable',
  takesTurn: 'at-pickup',
  async decide({ data }, tx) {
    const routes = await tx.ingressRoute.findMany({ where: { projectId: data.projectId, environmentId: data.environmentId, sticky: { in: ['live', 'environment'] } } });
    const changes: AppliedRoute[] = routes.map((r) => ({ hostname: r.hostname, sticky: r.sticky, environmentId: r.environmentId, fromDeploymentId: r.deploymentId, toDeploymentId: data.deploymentId }));
    return { changes, live: data.deploymentId, notes: [] };
  },
  output: (_step, record) => ({ sequence: record.sequence }),
});

const flows = {
  weight: defineFlow<RoutingServices, FixtureData>({ kind: 'promote', data: FixtureData, fromOperation: () => ({}), steps: [onRouting(setCanaryWeight)] }),
  move: defineFlow<RoutingServices, FixtureData>({ kind: 'promote', data: FixtureData, fromOperation: () => ({}), steps: [onRouting(moveStable)] }),
};

export interface CanaryDriver {
  /** Runs a set-canary-weight step for the canary; resolves with the failed reason when it fails, else undefined. */
  setWeight(projectId: string, environmentId: string, canaryDeploymentId: string, weight: number): Promise<string | undefined>;
  /** Runs a plain move of production's live and environment routes to the deployment. */
  moveStable(projectId: string, environmentId: string, deploymentId: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export function startCanaryDriver(h: EngineHarness): CanaryDriver {
  const queueName = `canary-fixture-${Math.random().toString(36).slice(2, 8)}`;
  const connection = new IORedis(h.redisUrl, { maxRetriesPerRequest: null });
  const workerConnection = new IORedis(h.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection, prefix: h.prefix });
  const services: RoutingServices = { prisma: h.db.prisma, redis: h.redis, prefix: h.prefix, settings: { routingTurnCheckMs: 50, traceRouting: false } };
  const engine = h.engine.deps.engine.context;
  const worker = new Worker(
    queueName,
    (job: Job, token = '') => {
      const flow = job.name === setCanaryWeight.name ? flows.weight : flows.move;
      const step = job.name === setCanaryWeight.name ? setCanaryWeight : moveStable;
      return runStep(engine, services, validateStepJob(flow, step, job), job, token);
    },
    { connection: workerConnection, prefix: h.prefix },
  );

  async function run(stepName: string, fields: { projectId: string; environmentId: string; deploymentId: string; weight?: number }): Promise<string | undefined> {
    const operationId = newId('op');
    await h.db.prisma.operation.create({ data: { id: operationId, kind: 'promote', projectId: fields.projectId, requestedBy: 'test' } });
    const data: FixtureData & StepJobFields = { ...fields, operationId, kind: 'promote', ownerId: operationId, step: stepName, position: 0 };
    const job = await queue.add(stepName, data, { attempts: 1 });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const state = await job.getState();
      if (state === 'completed') return undefined;
      if (state === 'failed') return (await Job.fromId(queue, job.id!))?.failedReason ?? 'failed';
      if (Date.now() > deadline) throw new Error(`${stepName} still ${state} after 20 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  return {
    setWeight: (projectId, environmentId, deploymentId, weight) => run(setCanaryWeight.name, { projectId, environmentId, deploymentId, weight }),
    moveStable: (projectId, environmentId, deploymentId) => run(moveStable.name, { projectId, environmentId, deploymentId }),
    async close() {
      await worker.close();
      await queue.close();
      await connection.quit();
      await workerConnection.quit();
    },
  };
}
