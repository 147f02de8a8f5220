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
 * A run whose worker starved past its job's lock resumes after BullMQ's stall check gave the job to another run (a
 * routing job waiting for its turn, say, which then delays itself): BullMQ refuses its delay ("Lock mismatch"). That
 * run's failure is not the job's, which the other run holds: it must not mark the step failed, nor, on its last attempt,
 * fail the whole operation (and pass its routing turn on, unfenced). It did both: the refusal was a step failure.
 */
const run = { refused: '' };
const fixtureStep = stepsFor<Record<string, never>, OperationJobData>();
const waitsAfterLosingItsJob: AnyStep = fixtureStep({
  name: 'waits-after-losing-its-job',
  queue: 'steps',
  async run({ job, delay }) {
    // Another run took the job while this one starved: the lock is now that run's.
    await lockTaker.set(`${job.queueQualifiedName}:${job.id}:lock`, 'the-other-run');
    try {
      return await delay(60_000);
    } catch (err) {
      run.refused = (err as Error).message;
      throw err;
    }
  },
});
const fixtureFlow = defineFlow<Record<string, never>, OperationJobData>({
  kind: 'promote',
  data: OperationJobData,
  fromOperation: (op) => ({ operationId: op.id, kind: op.kind, projectId: op.projectId, ownerId: op.id }),
  steps: [onSteps(waitsAfterLosingItsJob)],
});
let lockTaker: IORedis;

describe('a step run that lost its job to another run', () => {
  let h: EngineHarness;
  let queue: Queue;
  let worker: Worker;
  let connection: IORedis;
  let workerConnection: IORedis;
  beforeAll(async () => {
    h = await startEngineHarness({ workers: false });
    connection = new IORedis(h.redisUrl, { maxRetriesPerRequest: null });
    lockTaker = new IORedis(h.redisUrl, { maxRetriesPerRequest: null });
    queue = new Queue('fixtures', { connection, prefix: h.prefix });
    workerConnection = new IORedis(h.redisUrl, { maxRetriesPerRequest: null });
    const engine = h.engine.deps.engine.context;
    worker = new Worker('fixtures', (job, token = '') => runStep(engine, {}, validateStepJob(fixtureFlow, waitsAfterLosingItsJob, job), job, token), {
      connection: workerConnection,
      prefix: h.prefix,
      // The fixture's lock stays the other run's: no stall check re-runs the job while the test looks.
      stalledInterval: 600_000,
    });
    // BullMQ reports its own refused moves (the failed run's moveToFailed) as worker errors.
    worker.on('error', () => undefined);
  });
  afterAll(async () => {
    await worker.close(true);
    await queue.close();
    await connection.quit();
    await lockTaker.quit();
    await workerConnection.quit();
    await h.close();
  });

  it('marks neither its step nor, on its last attempt, its operation failed', async () => {
    const projectId = (await seedProject(h.db.prisma)).project.id;
    const operationId = newId('op');
    await h.db.prisma.operation.create({ data: { id: operationId, kind: 'promote', projectId, requestedBy: 'test' } });
    const data: OperationJobData & StepJobFields = { operationId, kind: 'promote', projectId, ownerId: operationId, step: waitsAfterLosingItsJob.name, position: 0 };
    const failedRun = new Promise<void>((resolve) => worker.once('failed', () => resolve()));
    const settled = new Promise<void>((resolve) => worker.once('error', () => resolve()));
    await queue.add(waitsAfterLosingItsJob.name, data, { attempts: 1 });
    await Promise.race([failedRun, settled, new Promise((_, reject) => setTimeout(() => reject(new Error('the run never ended')), 20_000))]);
    expect(run.refused).toMatch(/Lock mismatch|Missing lock|not in the active state/);
    const step = await h.db.prisma.deploymentStep.findUniqueOrThrow({ where: { ownerId_name: { ownerId: operationId, name: waitsAfterLosingItsJob.name } } });
    expect(step).toMatchObject({ status: 'running', error: null });
    expect((await h.db.prisma.operation.findUniqueOrThrow({ where: { id: operationId } })).state).toBe('running');
  });
});
