import { Job, Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { RetryableError, TerminalError } from '../../src/errors';
import { defineFlow, onSteps } from '../../src/engine/define-flow';
import { stepsFor, type AnyStep } from '../../src/engine/define-step';
import { OperationJobData, type StepJobFields } from '../../src/engine/job-data';
import { runStep, validateStepJob } from '../../src/engine/step-runner';
import { newId } from '../../src/ids';
import { seedProject } from '../support/seed';
import { EngineHarness, startEngineHarness } from '../support/engine-harness';

/** One pathological step per case, run by the real step runner on a real queue. */
const calls = new Map<string, number>();
const fixtureStep = stepsFor<Record<string, never>, OperationJobData>();
const steps: Record<string, AnyStep> = {
  'flaky-twice': fixtureStep({
    name: 'flaky-twice',
    queue: 'steps',
    async run({ data }) {
      const n = (calls.get(data.operationId) ?? 0) + 1;
      calls.set(data.operationId, n);
      if (n < 3) throw new RetryableError('temporarily_unavailable');
      return { after: n };
    },
  }),
  'terminal-at-once': fixtureStep({
    name: 'terminal-at-once',
    queue: 'steps',
    async run({ data }) {
      calls.set(data.operationId, (calls.get(data.operationId) ?? 0) + 1);
      throw new TerminalError('nothing_to_undo');
    },
  }),
  'always-unavailable': fixtureStep({
    name: 'always-unavailable',
    queue: 'steps',
    async run({ data }) {
      calls.set(data.operationId, (calls.get(data.operationId) ?? 0) + 1);
      throw new RetryableError('temporarily_unavailable');
    },
  }),
  'always-throws-plain-error': fixtureStep({
    name: 'always-throws-plain-error',
    queue: 'steps',
    async run({ data }) {
      calls.set(data.operationId, (calls.get(data.operationId) ?? 0) + 1);
      throw new Error('connection reset');
    },
  }),
};
/** A flow holding the fixtures: the runner needs one to validate job data and to resolve a final failure. */
const fixtureFlow = defineFlow<Record<string, never>, OperationJobData>({
  kind: 'promote',
  data: OperationJobData,
  fromOperation: (op) => ({ operationId: op.id, kind: op.kind, projectId: op.projectId, ownerId: op.id }),
  steps: Object.values(steps).map(onSteps),
});

describe('the step runner maps typed errors onto BullMQ', () => {
  let h: EngineHarness;
  let queue: Queue;
  let worker: Worker;
  let connection: IORedis;
  let workerConnection: IORedis;
  let projectId: string;
  beforeAll(async () => {
    h = await startEngineHarness({ workers: false });
    projectId = (await seedProject(h.db.prisma)).project.id;
    connection = new IORedis(h.redisUrl, { maxRetriesPerRequest: null });
    queue = new Queue('fixtures', { connection, prefix: h.prefix });
    const engine = h.engine.deps.engine.context;
    workerConnection = new IORedis(h.redisUrl, { maxRetriesPerRequest: null });
    worker = new Worker('fixtures', (job, token = '') => runStep(engine, {}, validateStepJob(fixtureFlow, steps[job.name], job), job, token), {
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

  async function run(step: string) {
    const operationId = newId('op');
    await h.db.prisma.operation.create({ data: { id: operationId, kind: 'promote', projectId, requestedBy: 'test' } });
    const data: OperationJobData & StepJobFields = { operationId, kind: 'promote', projectId, ownerId: operationId, step, position: 0 };
    const job = await queue.add(step, data, { attempts: 3, backoff: { type: 'exponential', delay: 20 } });
    const deadline = Date.now() + 20_000;
    while (!(await job.isCompleted()) && !(await job.isFailed())) {
      if (Date.now() > deadline) throw new Error('job did not finish');
      await new Promise((r) => setTimeout(r, 20));
    }
    const row = await h.db.prisma.deploymentStep.findUniqueOrThrow({ where: { ownerId_name: { ownerId: operationId, name: step } } });
    const op = await h.db.prisma.operation.findUniqueOrThrow({ where: { id: operationId } });
    const finished = (await Job.fromId(queue, job.id!))!;
    return { row, op, calls: calls.get(operationId), failed: await job.isFailed(), failedReason: finished.failedReason, stacktrace: finished.stacktrace ?? [] };
  }

  it('retries a RetryableError with backoff and succeeds, recording the attempts', async () => {
    const r = await run('flaky-twice');
    expect(r).toMatchObject({ calls: 3, failed: false });
    expect(r.row).toMatchObject({ status: 'succeeded', attempts: 3, error: null });
    expect(r.op.state).toBe('running'); // the root job (not part of this fixture) would finish it
  });

  it('fails a TerminalError at once: one attempt, step failed, operation failed with its code', async () => {
    const r = await run('terminal-at-once');
    expect(r).toMatchObject({ calls: 1, failed: true });
    expect(r.row).toMatchObject({ status: 'failed', attempts: 1, error: 'the project has no route change to undo' });
    expect(r.op).toMatchObject({ state: 'failed', errorCode: 'nothing_to_undo', errorMessage: 'terminal-at-once: the project has no route change to undo' });
  });

  it('treats an unknown error as retryable until the attempts run out, then fails the operation', async () => {
    const r = await run('always-throws-plain-error');
    expect(r).toMatchObject({ calls: 3, failed: true });
    expect(r.row).toMatchObject({ status: 'failed', attempts: 3 });
    expect(r.op).toMatchObject({ state: 'failed', errorCode: 'step_failed' });
    // The job's reason names the step and the code; an unexpected error keeps its own stack for whoever debugs it.
    expect(r.failedReason).toMatch(/^always-throws-plain-error failed \(step_failed\): /);
    expect(r.stacktrace.length).toBeGreaterThan(0);
    expect(r.stacktrace.every((trace) => trace.includes('connection reset'))).toBe(true);
  });

  it('leaves no stack trace on a job whose catalogued errors failed it, at once or after its retries', async () => {
    const once = await run('terminal-at-once');
    expect({ failedReason: once.failedReason, stacktrace: once.stacktrace }).toEqual({
      failedReason: 'terminal-at-once failed (nothing_to_undo): the project has no route change to undo',
      stacktrace: [],
    });
    const retried = await run('always-unavailable');
    expect(retried).toMatchObject({ calls: 3, failed: true });
    expect(retried.failedReason).toMatch(/^always-unavailable failed \(temporarily_unavailable\): /);
    expect(retried.stacktrace).toEqual([]);
  });
});
