import { ProjectTurns } from '../../src/routing/turns/project-turns';
import { testRedis } from '../support/test-redis';

describe('ProjectTurns', () => {
  const r = testRedis();
  const redis = r.connect();
  const turns = new ProjectTurns(redis, r.prefix);
  afterAll(async () => redis.quit());

  it('hands out tickets in order, once per job, and serves them one at a time', async () => {
    expect(await turns.ticket('p1', 'a')).toEqual({ ticket: 1, serving: 1 });
    expect(await turns.ticket('p1', 'b')).toEqual({ ticket: 2, serving: 1 });
    expect(await turns.ticket('p1', 'a')).toEqual({ ticket: 1, serving: 1 });
    expect(await turns.acquire('p1', 'b', 2)).toBeUndefined();
    const fence = await turns.acquire('p1', 'a', 1);
    expect(fence).toBe(1);
    expect(await turns.acquire('p1', 'a', 1)).toBe(2); // a re-run of the same job gets a newer fence
    expect(await turns.finish('p1', 'a', 1)).toBe('b');
    expect(await turns.acquire('p1', 'b', 2)).toBe(3);
  });

  it('takes a served ticket and its turn in one step, and only a ticket while another holds the turn', async () => {
    expect(await turns.take('p7', 'a')).toEqual({ ticket: 1, serving: 1, fence: 1 });
    expect(await turns.take('p7', 'b')).toEqual({ ticket: 2, serving: 1 });
    expect(await turns.take('p7', 'a')).toEqual({ ticket: 1, serving: 1, fence: 2 }); // a re-run keeps its ticket, gets a newer fence
    expect(await turns.take('p7', 'b')).toEqual({ ticket: 2, serving: 1 });
    expect(await turns.finish('p7', 'a', 1)).toBe('b');
    expect(await turns.take('p7', 'b')).toEqual({ ticket: 2, serving: 2, fence: 3 });
    expect(await turns.holder('p7')).toMatchObject({ serving: 2, jobId: 'b' });
  });

  it('keeps projects independent', async () => {
    expect(await turns.ticket('p2', 'x')).toEqual({ ticket: 1, serving: 1 });
    expect(await turns.acquire('p2', 'x', 1)).toBeDefined();
  });

  it('skips a ticket given up before its turn, without waiting for anyone', async () => {
    await turns.ticket('p3', 'a');
    await turns.ticket('p3', 'b');
    await turns.ticket('p3', 'c');
    expect(await turns.finish('p3', 'b', 2)).toBe('a'); // b failed early: abandoned; a is still the one served
    expect((await turns.holder('p3')).serving).toBe(1);
    expect(await turns.finish('p3', 'a', 1)).toBe('c');
    expect((await turns.holder('p3')).serving).toBe(3);
    expect(await turns.peek('p3', 'b')).toBeUndefined();
  });

  it('finishing a ticket twice serves the next one only once', async () => {
    await turns.ticket('p4', 'a');
    await turns.ticket('p4', 'b');
    await turns.finish('p4', 'a', 1);
    await turns.finish('p4', 'a', 1);
    expect((await turns.holder('p4')).serving).toBe(2);
  });

  it('gives a job whose ticket was skipped a new place instead of a turn that never comes', async () => {
    expect((await turns.ticket('p5', 'a')).ticket).toBe(1);
    // Another job found ticket 1's holder gone (e.g. its flow was not enqueued yet) and skipped it.
    await turns.finish('p5', '', 1);
    expect(await turns.peek('p5', 'a')).toBeUndefined();
    expect(await turns.ticket('p5', 'b')).toEqual({ ticket: 2, serving: 2 });
    // The reconciler enqueues a's flow later: a queues again behind b.
    expect(await turns.ticket('p5', 'a')).toEqual({ ticket: 3, serving: 2 });
    await turns.finish('p5', 'b', 2);
    expect(await turns.acquire('p5', 'a', 3)).toBeDefined();
  });

  it('raises the fencing counter to what the database last accepted, never lowers it', async () => {
    await turns.ticket('p6', 'a');
    expect(await turns.acquire('p6', 'a', 1)).toBe(1);
    await turns.raiseFence('p6', 41);
    expect(await turns.acquire('p6', 'a', 1)).toBe(42);
    await turns.raiseFence('p6', 5);
    expect(await turns.acquire('p6', 'a', 1)).toBe(43);
  });
});
