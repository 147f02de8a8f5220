import { finishOperation } from '../../src/engine/operation-state';
import { waitForOperation } from '../../src/operations/wait-for-operation';
import { startWatchBed, WatchBed } from './support/watch-bed';

/**
 * A waiter subscribes to the operation's events first and reads its row second. These waits have no fallback read
 * (an hour), so only the event can end them before their timeout: a waiter that read first and subscribed second
 * would miss a finish landing between the two and sleep until its timeout.
 */
describe('waiting for an operation', () => {
  let bed: WatchBed;
  const NO_FALLBACK = 3_600_000;
  beforeAll(async () => {
    bed = await startWatchBed();
  });
  afterAll(async () => bed.close());

  it('hears a finish that commits while its first read is under way, and reads only twice', async () => {
    const operationId = await bed.operation();
    const watcher = bed.watcher({ fallbackMs: NO_FALLBACK });
    // The first read sees the row still queued; the operation finishes (and is announced) before the waiter gets it.
    const counted = bed.countingReads(async (read, query) => {
      const row = await query();
      if (read === 1) await finishOperation({ prisma: bed.db.prisma, events: bed.events }, { operationId }, 'succeeded', { result: {} });
      return row;
    });
    const timeoutMs = 20_000;
    const started = Date.now();
    const op = await waitForOperation({ prisma: counted.prisma, watcher }, operationId, timeoutMs);
    expect(op?.state).toBe('succeeded');
    // Woken by the event, not by its timeout (a wait that missed the event reads the finished row only at its deadline).
    expect(Date.now() - started).toBeLessThan(timeoutMs);
    expect(counted.reads()).toBe(2);
  });

  it('answers a finished operation from one read', async () => {
    const operationId = await bed.operation();
    await finishOperation({ prisma: bed.db.prisma, events: bed.events }, { operationId }, 'failed', { errorCode: 'x', errorMessage: 'y' });
    const counted = bed.countingReads();
    const op = await waitForOperation({ prisma: counted.prisma, watcher: bed.watcher({ fallbackMs: NO_FALLBACK }) }, operationId, 10_000);
    expect(op?.state).toBe('failed');
    expect(counted.reads()).toBe(1);
  });

  it('sleeps through the events of other changes and reads again only when the finish is announced', async () => {
    const operationId = await bed.operation();
    const counted = bed.countingReads();
    const waiting = waitForOperation({ prisma: counted.prisma, watcher: bed.watcher({ fallbackMs: NO_FALLBACK }) }, operationId, 20_000);
    await new Promise((r) => setTimeout(r, 300));
    // Steps come and go (as a rollback's would) for a while: none of that is the finish.
    for (let i = 0; i < 10; i++) {
      bed.events.publish([operationId], { type: 'step', ownerId: operationId, name: 'validate', status: i % 2 ? 'succeeded' : 'running' });
      await new Promise((r) => setTimeout(r, 100));
    }
    bed.events.publish([operationId], { type: 'operation', operationId, state: 'running' });
    await new Promise((r) => setTimeout(r, 500));
    await finishOperation({ prisma: bed.db.prisma, events: bed.events }, { operationId }, 'succeeded', { result: {} });
    const op = await waiting;
    expect(op?.state).toBe('succeeded');
    // A 50 ms polling loop would have read some 40 times over these two seconds.
    console.log(`database reads for a wait of about 2 s: ${counted.reads()}`);
    expect(counted.reads()).toBe(2);
  });

  it('gives up at its timeout with the row as it is then', async () => {
    const operationId = await bed.operation();
    const counted = bed.countingReads();
    const op = await waitForOperation({ prisma: counted.prisma, watcher: bed.watcher({ fallbackMs: NO_FALLBACK }) }, operationId, 700);
    expect(op?.state).toBe('queued');
    // The first look and one at the deadline.
    expect(counted.reads()).toBe(2);
  });

  it('answers null for an operation that does not exist', async () => {
    expect(await waitForOperation({ prisma: bed.db.prisma, watcher: bed.watcher() }, 'op_00000000000000000000000000', 5_000)).toBeNull();
  });
});
