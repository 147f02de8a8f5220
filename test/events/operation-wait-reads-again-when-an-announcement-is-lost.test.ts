import { finishOperation } from '../../src/engine/operation-state';
import { noStateEvents } from '../../src/engine/state-events';
import { waitForOperation } from '../../src/operations/wait-for-operation';
import { eventually } from '../support/http-get';
import { startWatchBed, WatchBed } from './support/watch-bed';

/** Events are wake-up calls that can be lost; a waiter must still learn of the finish, and without polling hard. */
describe('an operation whose finish is never heard', () => {
  let bed: WatchBed;
  beforeAll(async () => {
    bed = await startWatchBed();
  });
  afterAll(async () => bed.close());

  it('is still seen finished through the fallback read when its announcement was never published', async () => {
    const operationId = await bed.operation();
    const fallbackMs = 500;
    const counted = bed.countingReads();
    const started = Date.now();
    const waiting = waitForOperation({ prisma: counted.prisma, watcher: bed.watcher({ fallbackMs }) }, operationId, 30_000);
    setTimeout(() => void finishOperation({ prisma: bed.db.prisma, events: noStateEvents }, { operationId }, 'succeeded', { result: {} }), 1_200);
    const op = await waiting;
    const elapsed = Date.now() - started;
    expect(op?.state).toBe('succeeded');
    // One read per fallback interval, not one per 50 ms: about elapsed / 500 + 1 (plus one for a timer that runs late).
    console.log(`${counted.reads()} reads over ${elapsed} ms with a ${fallbackMs} ms fallback`);
    expect(counted.reads()).toBeLessThanOrEqual(Math.ceil(elapsed / fallbackMs) + 2);
    expect(counted.reads()).toBeLessThan(elapsed / 50);
  });

  it('is seen finished at once after its subscriber connection was killed and the announcement went out meanwhile', async () => {
    const operationId = await bed.operation();
    const connectionName = `events-test-${operationId}`;
    // No fallback read within the test: only the reconnect can end this wait early. The subscriber reconnects 1 s
    // after it is cut, which leaves a window to publish into while nobody listens.
    const watcher = bed.watcher({ fallbackMs: 3_600_000, connectionName, retryStrategy: () => 1_000 });
    const counted = bed.countingReads();
    const timeoutMs = 30_000;
    const started = Date.now();
    const waiting = waitForOperation({ prisma: counted.prisma, watcher }, operationId, timeoutMs);
    await eventually(async () => expect(counted.reads()).toBe(1));
    const clientId = async () => {
      const list = (await bed.redis.client('LIST')) as string;
      const line = list.split('\n').find((l) => l.includes(` name=${connectionName} `));
      return line ? /\bid=(\d+)/.exec(line)![1] : undefined;
    };
    const id = await clientId();
    expect(id).toBeDefined();
    expect(await bed.redis.client('KILL', 'ID', id!)).toBe(1);
    await eventually(async () => expect(watcher.connections[0].status).not.toBe('ready'));
    // Finished and announced while the subscriber is away: the message reaches no one.
    await finishOperation({ prisma: bed.db.prisma, events: bed.events }, { operationId }, 'succeeded', { result: {} });
    const op = await waiting;
    expect(op?.state).toBe('succeeded');
    // Ended by the re-read after the reconnect, not by its timeout.
    expect(Date.now() - started).toBeLessThan(timeoutMs);
    expect(await clientId()).not.toBe(id);
  });
});
