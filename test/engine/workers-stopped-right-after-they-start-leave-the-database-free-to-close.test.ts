import { EngineHarness, startEngineHarness } from '../support/engine-harness';

/**
 * Workers warm the database client's transaction path when they start (one empty transaction, not awaited, so that the
 * first route change does not pay for it). A worker process stopped right after it started (a deploy of the worker
 * itself, a scale-down, a SIGTERM from a supervisor) closed its database while that transaction was still open: the
 * connection stayed checked out and the process's database stop waited out its whole timeout, then exited unclean
 * (code 1). Closing the workers now waits for the warm-up, so the database closes at once.
 */
describe('workers stopped right after they start', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness({ workers: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('leave no transaction open: the database closes at once', async () => {
    const workers = h.engine.startWorkers({ concurrency: 1 });
    await workers.close();
    // Far above what closing an idle pool takes on a loaded machine; the open transaction held it for good.
    const closed = await Promise.race([h.db.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open after 10 s'), 10_000))]);
    expect(closed).toBe('closed');
  }, 30_000);
});
