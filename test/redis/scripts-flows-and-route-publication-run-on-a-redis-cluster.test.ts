import { randomBytes } from 'node:crypto';
import { FlowProducer, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { withRedisLease } from '../../src/engine/redis-lease';
import { ALL_QUEUES, QueueName } from '../../src/engine/queue-names';
import { createRedisConnection, isCluster, RedisConnection } from '../../src/redis/connection';
import { publishRouteChange, readRouteVersion, RouteChangeEvent, subscribeRouteChanges } from '../../src/routing/publication/route-publication';
import { ProjectTurns } from '../../src/routing/turns/project-turns';
import { startRedisCluster, RedisCluster } from '../support/redis-cluster';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Every Redis script and transaction deployflow runs, on a real 3-master Redis Cluster: none may be refused with
 * CROSSSLOT (keys in different slots) and route changes must reach subscribers on every node.
 */
describe('on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let redis: RedisConnection;
  const prefix = () => `{t${randomBytes(4).toString('hex')}}`;

  beforeAll(async () => {
    const started = Date.now();
    cluster = await startRedisCluster();
    console.log(`3-master Redis Cluster ok in ${Date.now() - started} ms on ports ${cluster.ports.join(', ')}`);
    redis = createRedisConnection(cluster.url, { maxRetriesPerRequest: null });
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
  });

  it('REDIS_URL redis+cluster://… gives a cluster client that sees all three masters', async () => {
    expect(isCluster(redis)).toBe(true);
    await redis.set('probe', '1');
    const masters = isCluster(redis) ? redis.nodes('master') : [];
    expect(masters).toHaveLength(3);
  });

  it('the routing turn scripts and the fencing token run (ticket, acquire, holder, raise fence, peek, finish)', async () => {
    const turns = new ProjectTurns(redis, prefix());
    expect(await turns.ticket('p1', 'job-a')).toEqual({ ticket: 1, serving: 1 });
    expect(await turns.ticket('p1', 'job-b')).toEqual({ ticket: 2, serving: 1 });
    expect(await turns.acquire('p1', 'job-a', 1)).toBe(1);
    expect(await turns.holder('p1')).toEqual({ serving: 1, last: 2, jobId: 'job-a' });
    await turns.raiseFence('p1', 10);
    expect(await turns.peek('p1', 'job-b')).toBe(2);
    expect(await turns.finish('p1', 'job-a', 1)).toBe('job-b');
    expect(await turns.acquire('p1', 'job-b', 2)).toBe(11);
  });

  it('leases (set NX, renew and release scripts) run', async () => {
    const key = `${prefix()}:reconciler:lease`;
    const outcome = await withRedisLease(redis, key, 300, async () => {
      await sleep(250); // past one renewal
      return withRedisLease(redis, key, 300, async () => 'inner');
    });
    expect(outcome).toEqual({ ran: true, value: { ran: false, heldBy: expect.any(String) } });
    expect(await redis.exists(key)).toBe(0);
  });

  it('a route change published by the script reaches subscribers connected to every node, in version order', async () => {
    const p = prefix();
    // One plain connection per node: PUBLISH on a cluster is broadcast over the cluster bus to every node.
    const perNode = cluster.ports.map((port) => new Redis(port, '127.0.0.1', { maxRetriesPerRequest: null }));
    const seen: RouteChangeEvent[][] = perNode.map(() => []);
    const subscriptions = await Promise.all(perNode.map((conn, i) => subscribeRouteChanges(conn, p, (e) => seen[i].push(e))));
    // And the way the gateway subscribes: from the cluster URL.
    const viaUrl: RouteChangeEvent[] = [];
    const own = await subscribeRouteChanges(cluster.url, p, (e) => viaUrl.push(e));
    try {
      for (let i = 1; i <= 5; i++) await publishRouteChange(redis, p, { projectId: 'p1', sequence: i, routes: [{ hostname: `h${i}.example`, deploymentId: `d${i}` }] });
      const deadline = Date.now() + 5_000;
      while ([...seen, viaUrl].some((s) => s.length < 5) && Date.now() < deadline) await sleep(20);
      for (const events of [...seen, viaUrl]) expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
      expect(await readRouteVersion(redis, p)).toBe(5);
    } finally {
      await Promise.all([...subscriptions, own].map((s) => s.close()));
      perNode.forEach((c) => c.disconnect());
    }
  });

  it('a BullMQ flow spanning the three queues runs, with workers on cluster connections', async () => {
    const p = prefix();
    const connections: RedisConnection[] = [];
    const connection = () => {
      const c = createRedisConnection(cluster.url, { maxRetriesPerRequest: null });
      connections.push(c);
      return c;
    };
    const ran: string[] = [];
    const workers = ALL_QUEUES.map(
      (name) =>
        new Worker(
          name,
          async (job) => {
            ran.push(`${name}:${job.name}`);
            return job.name;
          },
          { connection: connection(), prefix: p, concurrency: 2 },
        ),
    );
    const flows = new FlowProducer({ connection: redis, prefix: p });
    const operations = new Queue(QueueName.operations, { connection: redis, prefix: p });
    try {
      const tree = await flows.add({
        name: 'complete',
        queueName: QueueName.operations,
        opts: { jobId: 'op1' },
        children: [
          {
            name: 'route',
            queueName: QueueName.routing,
            opts: { jobId: 'op1.route', failParentOnFailure: true },
            children: [{ name: 'build', queueName: QueueName.steps, opts: { jobId: 'op1.build', failParentOnFailure: true } }],
          },
        ],
      });
      const deadline = Date.now() + 20_000;
      while ((await tree.job.getState()) !== 'completed' && Date.now() < deadline) await sleep(50);
      expect(await tree.job.getState()).toBe('completed');
      expect(ran).toEqual(['steps:build', 'routing:route', 'operations:complete']);
      // Same job id again: a no-op, as the engine relies on (deterministic ids).
      await flows.add({ name: 'complete', queueName: QueueName.operations, opts: { jobId: 'op1' } });
      expect(await operations.getJobCounts('completed', 'waiting')).toEqual({ completed: 1, waiting: 0 });
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      await flows.close();
      await operations.close();
      connections.forEach((c) => c.disconnect());
    }
  });

  it('the API rate limit counts in the cluster', async () => {
    const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix()}:ratelimit`, points: 2, duration: 10, rejectIfRedisNotReady: true });
    await limiter.consume('key_1');
    await limiter.consume('key_1');
    await expect(limiter.consume('key_1')).rejects.toMatchObject({ remainingPoints: 0 });
  });

  it('is what makes the hash tag necessary: without one, BullMQ’s scripts are refused with CROSSSLOT', async () => {
    const queue = new Queue(QueueName.steps, { connection: redis, prefix: `untagged${randomBytes(3).toString('hex')}` });
    try {
      await expect(queue.add('x', {})).rejects.toThrow(/CROSSSLOT/);
    } finally {
      await queue.close();
    }
  });
});
