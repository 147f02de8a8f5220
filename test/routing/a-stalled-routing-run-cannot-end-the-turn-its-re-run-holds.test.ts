import { ProjectTurns } from '../../src/routing/turns/project-turns';
import { testRedis } from '../support/test-redis';

/**
 * BullMQ runs a routing job again when its worker's lock lapses (a false stall: a process starved of CPU for longer
 * than the routing queue's lock allows, 1.25-1.5 s). The re-run keeps the job's ticket and takes the turn with a newer fencing token;
 * the first run, resuming, goes on to finish its turn. It must not pass on the turn while its re-run holds it: the
 * project's next switch would then run beside the re-run. Nor may it forget a newer ticket the job took since.
 */
describe('a stalled routing run that resumes', () => {
  const r = testRedis();
  const redis = r.connect();
  const turns = new ProjectTurns(redis, r.prefix);
  afterAll(async () => redis.quit());

  it('cannot end the turn its re-run holds: only the run with the newest fence passes it on', async () => {
    const stalled = await turns.take('p1', 'a');
    expect(stalled).toEqual({ ticket: 1, serving: 1, fence: 1 });
    expect(await turns.take('p1', 'b')).toEqual({ ticket: 2, serving: 1 });
    // BullMQ ran the job again elsewhere: same ticket, newer fence.
    const rerun = await turns.take('p1', 'a');
    expect(rerun).toEqual({ ticket: 1, serving: 1, fence: 2 });

    // The stalled run resumes and finishes: the turn stays with the re-run, and b is not served.
    expect(await turns.finish('p1', 'a', 1, stalled.fence)).toBeUndefined();
    expect(await turns.holder('p1')).toMatchObject({ serving: 1, jobId: 'a' });
    expect(await turns.take('p1', 'b')).toEqual({ ticket: 2, serving: 1 });

    // The re-run finishes: b's turn.
    expect(await turns.finish('p1', 'a', 1, rerun.fence)).toBe('b');
    expect(await turns.take('p1', 'b')).toEqual({ ticket: 2, serving: 2, fence: 3 });
  });

  it('cannot end a turn that already passed on, nor make its job forget the newer ticket it took since', async () => {
    const first = await turns.take('p2', 'a');
    expect(await turns.finish('p2', 'a', 1, first.fence)).toBeUndefined(); // nobody waits
    // The job runs again after its ticket was passed (a stall seen after the first run finished): a new ticket.
    expect(await turns.take('p2', 'b')).toEqual({ ticket: 2, serving: 2, fence: 2 });
    expect(await turns.take('p2', 'a')).toEqual({ ticket: 3, serving: 2 });
    // A run of the job still holding ticket 1 and its old fence finishes late: nothing changes.
    expect(await turns.finish('p2', 'a', 1, first.fence)).toBeUndefined();
    expect(await turns.peek('p2', 'a')).toBe(3);
    expect(await turns.holder('p2')).toMatchObject({ serving: 2, jobId: 'b' });
    expect(await turns.finish('p2', 'b', 2, 2)).toBe('a');
    expect(await turns.take('p2', 'a')).toEqual({ ticket: 3, serving: 3, fence: 3 });
  });

  it('still ends the turn without a fence (an operation that ended for good, a holder that vanished)', async () => {
    await turns.take('p3', 'a');
    await turns.take('p3', 'a'); // a re-run holds the turn
    expect(await turns.take('p3', 'b')).toEqual({ ticket: 2, serving: 1 });
    expect(await turns.finish('p3', 'a', 1)).toBe('b');
    expect(await turns.take('p3', 'b')).toEqual({ ticket: 2, serving: 2, fence: 3 });
  });
});
