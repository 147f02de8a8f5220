import { FlowProducer, type FlowJob } from 'bullmq';
import IORedis from 'ioredis';
import type { Operation } from '../../src/generated/prisma/client';
import { createDeploy } from '../../src/operations/create-deploy';
import { DeployRequest } from '../../src/operations/deploy-request';
import { noStateEvents } from '../../src/engine/state-events';
import { stepRecords } from '../../src/engine/step-records';
import { requestSwitch, requestUndo } from '../../src/operations/request-switch';
import { ProjectTurns } from '../../src/routing/turns/project-turns';
import { seedProject } from '../support/seed';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';

/**
 * The flows exactly as the engine before the library refactor put them on the queues (its `buildOperationFlow` and
 * `enqueueOperation`, frozen here as data): a root job named after the kind in `operations` with the operation's
 * data, and a nested chain of step jobs whose data is that plus `{ step, position }`, routing steps on `routing`.
 * Jobs like these may sit in Redis when the new code starts; the new workers must run them to the end.
 */
const OLD_STEP_CHAINS: Record<string, Array<[step: string, queue: 'steps' | 'routing']> | undefined> = {
  deploy: [
    ['fetch-metadata', 'steps'],
    ['set-building', 'steps'],
    ['create-in-krane', 'steps'],
    ['poll-instances', 'steps'],
    ['scrape-openapi', 'steps'],
    ['build-routes', 'steps'],
    ['assign-routes', 'routing'],
    ['set-ready', 'steps'],
    ['update-live', 'steps'],
  ],
  rollback: [
    ['validate', 'steps'],
    ['check-instances', 'steps'],
    ['switch-routes', 'routing'],
  ],
  promote: [
    ['validate', 'steps'],
    ['check-instances', 'steps'],
    ['switch-routes', 'routing'],
  ],
  undo: [['undo-routes', 'routing']],
};

const KEEP = { removeOnComplete: { age: 7 * 24 * 3600, count: 50_000 }, removeOnFail: { age: 30 * 24 * 3600 } };

function oldChain(kind: string): Array<[step: string, queue: 'steps' | 'routing']> {
  const chain = OLD_STEP_CHAINS[kind];
  if (!chain) throw new Error(`the old engine had no flow for ${kind}`);
  return chain;
}

function oldFlow(op: Operation): FlowJob {
  const data = {
    operationId: op.id,
    kind: op.kind,
    projectId: op.projectId,
    ...(op.deploymentId ? { deploymentId: op.deploymentId } : {}),
    ownerId: op.kind === 'deploy' && op.deploymentId ? op.deploymentId : op.id,
  };
  let chain: FlowJob | undefined;
  oldChain(op.kind).forEach(([step, queue], position) => {
    chain = {
      name: step,
      queueName: queue,
      data: { ...data, step, position },
      opts: { jobId: `${op.id}.${step}`, attempts: 5, backoff: { type: 'exponential', delay: 50 }, failParentOnFailure: true, ...KEEP },
      children: chain ? [chain] : undefined,
    };
  });
  return {
    name: op.kind,
    queueName: 'operations',
    data,
    opts: { jobId: op.id, attempts: 10, backoff: { type: 'exponential', delay: 1_000 }, ...KEEP },
    children: chain ? [chain] : undefined,
  };
}

describe('jobs queued by the engine before the library refactor still run', () => {
  let h: EngineHarness;
  let connection: IORedis;
  let producer: FlowProducer;
  beforeAll(async () => {
    // No workers yet: the old jobs are queued first, as they would be when the new code starts.
    h = await startEngineHarness({ workers: false });
    connection = new IORedis(h.redisUrl, { maxRetriesPerRequest: null });
    producer = new FlowProducer({ connection, prefix: h.prefix });
  });
  afterAll(async () => {
    await producer.close();
    await connection.quit();
    await h.close();
  });

  /** What the old `enqueueOperation` did for an operation row: plan its step rows, add its flow, take its routing ticket. */
  async function enqueueTheOldWay(operationId: string): Promise<void> {
    const op = await h.db.prisma.operation.findUniqueOrThrow({ where: { id: operationId } });
    const ownerId = op.kind === 'deploy' && op.deploymentId ? op.deploymentId : op.id;
    await stepRecords.plan({ prisma: h.db.prisma, events: noStateEvents }, ownerId, op.id, oldChain(op.kind).map(([step]) => step));
    await producer.add(oldFlow(op));
    const routing = oldChain(op.kind).find(([, queue]) => queue === 'routing');
    if (routing && op.kind !== 'deploy') await new ProjectTurns(h.redis, h.prefix).ticket(op.projectId, `${op.id}.${routing[0]}`);
  }
  const notYet = async () => undefined;

  it('runs old deploy flows when the workers start, then old rollback and undo flows', async () => {
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'legacy', project: 'shop' });
    const caller = { workspaceId: workspace.id, requestedBy: 'test' };
    // Both run at once and both must end ready (v1 is rolled back to): each on a branch of its own, so latest wins (a
    // newer deploy of the same branch supersedes an older one not yet routing) leaves v1 alone.
    const deploy = (version: string) =>
      createDeploy(
        { prisma: h.db.prisma, enqueue: notYet },
        caller,
        DeployRequest.parse({ projectId: project.id, image: HELLO_API, git: { branch: `release-${version}` }, runtime: { env: { VERSION: version } } }),
      );
    const v1 = await deploy('v1');
    const v2 = await deploy('v2');
    await enqueueTheOldWay(v1.operationId);
    await enqueueTheOldWay(v2.operationId);

    h.engine.startWorkers({ concurrency: 5 });
    for (const { operationId, deploymentId } of [v1, v2]) {
      const op = await h.waitForOperation(operationId, 60_000);
      expect({ state: op.state, error: op.errorMessage }).toEqual({ state: 'succeeded', error: null });
      const d = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
      expect(d.status).toBe('ready');
      const steps = await h.db.prisma.deploymentStep.findMany({ where: { ownerId: deploymentId }, orderBy: { position: 'asc' } });
      expect(steps.map((s) => [s.name, s.status])).toEqual(oldChain('deploy').map(([step]) => [step, 'succeeded']));
    }
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(v2.deploymentId);

    const rollback = await requestSwitch({ prisma: h.db.prisma, enqueue: notYet }, caller, { kind: 'rollback', projectId: project.id, targetDeploymentId: v1.deploymentId });
    await enqueueTheOldWay(rollback.operationId);
    expect((await h.waitForOperation(rollback.operationId, 60_000)).state).toBe('succeeded');
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(v1.deploymentId);

    const undo = await requestUndo({ prisma: h.db.prisma, enqueue: notYet }, caller, project.id);
    await enqueueTheOldWay(undo.operationId);
    expect((await h.waitForOperation(undo.operationId, 60_000)).state).toBe('succeeded');
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(v2.deploymentId);
  });
});
