import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { defineFlow, onSteps } from '../../src/engine/define-flow';
import { stepsFor, type AnyStep } from '../../src/engine/define-step';
import { OperationJobData, type StepJobFields } from '../../src/engine/job-data';
import { runStep, validateStepJob } from '../../src/engine/step-runner';
import { newId } from '../../src/ids';
import { seedProject } from '../support/seed';
import { EngineHarness, startEngineHarness } from '../support/engine-harness';

/**
 * A routing job waits for its project's turn by delaying itself; the job finishing the turn wakes it by promoting it
 * out of the delayed set. When that finish comes while the waiting run is still deciding to wait, the job is active,
 * not delayed: the promote does nothing, and the job used to sleep out its whole interval (500 ms per switch in line,
 * and here a minute). `delay(ms, patch, { wakeIf })` looks once more after the job sleeps, so the wake-up is not lost.
 */
const SLEEP_MS = 60_000;
const announced = new Set<string>();
const fixtureStep = stepsFor<Record<string, never>, OperationJobData>();
const waitsForTurn: AnyStep = fixtureStep({
  name: 'waits-for-turn',
  queue: 'steps',
  async run({ data, job, delay }) {
    if (job.data.delays) return { woke: true };
    // The holder finishes now, while this run decides to wait: its wake-up finds the job active and does nothing.
    announced.add(data.operationId);
    if (await job.isDelayed()) await job.promote();
    return delay(SLEEP_MS, {}, { wakeIf: async () => announced.has(data.operationId) });
  },
});
const fixtureFlow = defineFlow<Record<string, never>, OperationJobData>({
  kind: 'promote',
  data: OperationJobData,
  fromOperation: (op) => ({ operationId: op.id, kind: op.kind, projectId: op.projectId, ownerId: op.id }),
  steps: [onSteps(waitsForTurn)],
});

describe('a wake-up sent while a step decides to wait', () => {
  let h: EngineHarness;
  let queue: Queue;
  let worker: Worker;
  let connection: IORedis;
  let workerConnection: IORedis;
  beforeAll(async () => {
    h = await startEngineHarness({ workers: false });
    connection = new IORedis(h.redisUrl, { maxRetriesPerRequest: null });
    queue = new Queue('fixtures', { connection, prefix: h.prefix });
    workerConnection = new IORedis(h.redisUrl, { maxRetriesPerRequest: null });
    const engine = h.engine.deps.engine.context;
    worker = new Worker('fixtures', (job, token = '') => runStep(engine, {}, validateStepJob(fixtureFlow, waitsForTurn, job), job, token), {
      connection: workerConnection,
      prefix: h.prefix,
    });
  });
  afterAll(async () => {
    await worker.close();
    await queue.close();
    await connection.quit();
    await workerConnection.quit();
    await h.close();
  });

  it('runs the step again at once instead of after its delay', async () => {
    const projectId = (await seedProject(h.db.prisma)).project.id;
    const operationId = newId('op');
    await h.db.prisma.operation.create({ data: { id: operationId, kind: 'promote', projectId, requestedBy: 'test' } });
    const data: OperationJobData & StepJobFields = { operationId, kind: 'promote', projectId, ownerId: operationId, step: waitsForTurn.name, position: 0 };
    const job = await queue.add(waitsForTurn.name, data);
    // Far below the step's one-minute delay, far above what a loaded machine needs for two runs of a job.
    const deadline = Date.now() + 15_000;
    while (!(await job.isCompleted())) {
      if (Date.now() > deadline) throw new Error(`the step still sleeps (${await job.getState()}): the wake-up was lost`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await job.isCompleted()).toBe(true);
    expect((await h.db.prisma.deploymentStep.findUniqueOrThrow({ where: { ownerId_name: { ownerId: operationId, name: waitsForTurn.name } } })).status).toBe('succeeded');
  });
});
