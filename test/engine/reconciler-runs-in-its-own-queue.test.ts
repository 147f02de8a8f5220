import { Job } from 'bullmq';
import { RECONCILE_JOB } from '../../src/app/reconciler';
import { eventually } from '../support/http-get';
import { seedProject } from '../support/seed';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';

/**
 * The reconciler's passes run in the `reconciler` queue, not among the operations' root jobs. What an older version
 * left in the operations queue (its job scheduler, a pass already queued) neither runs there nor breaks anything.
 */
describe('the reconciler queue', () => {
  let h: EngineHarness;
  let workspaceId: string;
  beforeAll(async () => {
    h = await startEngineHarness({ workers: false });
    workspaceId = (await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' })).workspace.id;
  });
  afterAll(async () => h.close());

  it('runs scheduled passes in the reconciler queue, and completes without running what older versions queued in operations', async () => {
    const { operations, reconciler } = h.engine.deps.queues;
    // What the previous version left behind: its schedule in the operations queue, and a pass queued by it.
    await operations.upsertJobScheduler(RECONCILE_JOB, { every: 60_000 }, { name: RECONCILE_JOB, opts: { removeOnComplete: 100, removeOnFail: 100 } });
    const legacy = await operations.add(RECONCILE_JOB, {}, { jobId: 'legacy-reconcile-pass' });

    await h.engine.scheduleReconciler(1_000);
    expect(await operations.getJobScheduler(RECONCILE_JOB)).toBeUndefined();
    expect(await reconciler.getJobScheduler(RECONCILE_JOB)).toMatchObject({ every: 1_000 });

    h.engine.startWorkers({ concurrency: 2 });
    const { operationId } = await h.deploy({ projectId: 'shop', image: HELLO_API }, workspaceId);
    expect((await h.waitForOperation(operationId, 60_000)).state).toBe('succeeded');

    const passes = await eventually(async () => {
      const done = await reconciler.getJobs(['completed']);
      if (done.length === 0) throw new Error('no reconciler pass completed yet');
      return done;
    }, 20_000);
    expect(passes.every((j) => j.name === RECONCILE_JOB)).toBe(true);
    expect(passes[0].returnvalue).toMatchObject({ reenqueued: [], compensations: [] });
    console.log(`reconciler queue: ${passes.length} pass(es) completed; counts ${JSON.stringify(await reconciler.getJobCounts())}`);

    const leftover = await eventually(async () => {
      const job = await Job.fromId(operations, legacy.id!);
      if (!(await job?.isCompleted())) throw new Error('the legacy pass is not done yet');
      return job!;
    });
    expect(leftover.returnvalue).toEqual({ skipped: 'scheduled jobs run in the reconciler queue now' });
    // In the operations queue: the deploy's root, and what the old schedule had queued (the pass added by hand, and
    // the first run the old scheduler made at once), each completed without running. Nothing left to come there.
    const inOperations = await operations.getJobs(['completed', 'failed', 'active', 'wait', 'delayed', 'prioritized']);
    const leftovers = inOperations.filter((j) => j.name === RECONCILE_JOB);
    console.log(`operations queue: ${inOperations.map((j) => `${j.name} ${j.id} -> ${JSON.stringify(j.returnvalue)}`).join('; ')}`);
    expect(leftovers.map((j) => j.id)).toContain(legacy.id);
    for (const job of leftovers) {
      expect({ id: job.id, state: await job.getState(), returnvalue: job.returnvalue }).toEqual({
        id: job.id,
        state: 'completed',
        returnvalue: { skipped: 'scheduled jobs run in the reconciler queue now' },
      });
    }
    expect(inOperations.filter((j) => j.name !== RECONCILE_JOB).map((j) => j.id)).toEqual([operationId]);
    expect(await operations.getJobCounts('failed', 'delayed')).toEqual({ failed: 0, delayed: 0 });
  }, 90_000);
});

