import { loadConfig } from '../../src/config';
import { createOperationWatcher } from '../../src/app/operation-watcher';
import { finishOperation } from '../../src/engine/operation-state';
import { eventChannel } from '../../src/engine/state-events';
import { silentLogger } from '../../src/logger';
import { waitForOperation } from '../../src/operations/wait-for-operation';
import { eventually } from '../support/http-get';
import { startWatchBed, WatchBed } from './support/watch-bed';

describe('the operation watcher of a process', () => {
  let bed: WatchBed;
  beforeAll(async () => {
    bed = await startWatchBed();
  });
  afterAll(async () => bed.close());

  const connectionsNamed = async (name: string) => ((await bed.redis.client('LIST')) as string).split('\n').filter((l) => l.includes(` name=${name} `)).length;
  const subscribers = async (operationId: string) => {
    const [, count] = (await bed.redis.pubsub('NUMSUB', eventChannel(bed.prefix, operationId))) as [string, number];
    return Number(count);
  };

  it('serves every waiter over one connection, with one subscription per operation for as long as anyone waits for it', async () => {
    const connectionName = `events-test-shared-${process.pid}`;
    const watcher = bed.watcher({ connectionName, fallbackMs: 3_600_000 });
    const ops = [await bed.operation(), await bed.operation(), await bed.operation()];
    const counted = bed.countingReads();
    const waits = ops.map((id) => Array.from({ length: 4 }, () => waitForOperation({ prisma: counted.prisma, watcher }, id, 30_000)));
    await eventually(async () => expect(counted.reads()).toBe(12));

    expect(watcher.connections).toHaveLength(1);
    expect(await connectionsNamed(connectionName)).toBe(1);
    expect(watcher.subscribedSubjects).toBe(3);
    for (const id of ops) expect(await subscribers(id)).toBe(1);

    await finishOperation({ prisma: bed.db.prisma, events: bed.events }, { operationId: ops[0] }, 'succeeded', { result: {} });
    expect((await Promise.all(waits[0])).map((op) => op?.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    // The last waiter of an operation leaves: its channel is dropped; the others stay.
    await eventually(async () => expect(await subscribers(ops[0])).toBe(0));
    expect(await subscribers(ops[1])).toBe(1);
    expect(watcher.subscribedSubjects).toBe(2);

    for (const id of ops.slice(1)) await finishOperation({ prisma: bed.db.prisma, events: bed.events }, { operationId: id }, 'cancelled', { errorCode: 'c', errorMessage: 'c' });
    await Promise.all(waits.flat());
    expect(watcher.subscribedSubjects).toBe(0);
    for (const id of ops) await eventually(async () => expect(await subscribers(id)).toBe(0));
    expect(watcher.connections).toHaveLength(1);
  });

  it("closes the process's subscriber connection on shutdown, answering the waits still open with the row as it is", async () => {
    const config = loadConfig({ QUEUE_PREFIX: bed.prefix, REDIS_URL: bed.redisUrl, DATABASE_URL: bed.db.url, LOG_LEVEL: 'silent' });
    // The watcher as the composition root makes it for `npm start` (and closes it at shutdown).
    const watcher = createOperationWatcher({ config, redis: bed.redis, logger: silentLogger });
    const name = `deployflow:operation-events:${bed.prefix}`;
    // A process that never waits never opens the connection.
    expect(await connectionsNamed(name)).toBe(0);
    const operationId = await bed.operation();
    const waiting = waitForOperation({ prisma: bed.db.prisma, watcher }, operationId, 30_000);
    await eventually(async () => expect(await subscribers(operationId)).toBe(1));
    expect(await connectionsNamed(name)).toBe(1);

    const started = Date.now();
    await watcher.close();
    expect((await waiting)?.state).toBe('queued');
    expect(Date.now() - started).toBeLessThan(30_000);
    await eventually(async () => expect(await connectionsNamed(name)).toBe(0));
    expect(await subscribers(operationId)).toBe(0);
  });
});
