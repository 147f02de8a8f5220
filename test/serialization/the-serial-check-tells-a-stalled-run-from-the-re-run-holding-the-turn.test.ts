import { assertSerialPerProject } from '../support/routing-trace-checks';

/**
 * The storms' check that routing runs of a project never overlap, on traces that carry each run's fencing token: a
 * job's runs are told apart, so the re-run that holds the turn stays open until it ends, whatever its stalled first run
 * does meanwhile, and a stalled run that writes its start late (its token older than one already seen) is not taken for
 * a job running out of order.
 */
describe('the serial check of routing runs, with fences', () => {
  const rec = (event: 'start' | 'end', jobId: string, ticket: number, fence: number, sequence?: number) => ({ event, projectId: 'p', jobId, ticket, fence, at: 0, pid: 1, sequence });

  it('refuses the next job starting while the re-run holding the turn runs, whenever the stalled run ended', () => {
    // The stalled run ended before its re-run started (what the cluster storm reported under load).
    expect(() => assertSerialPerProject([rec('start', 'a', 1, 1), rec('end', 'a', 1, 1, 5), rec('start', 'a', 1, 2), rec('start', 'b', 2, 3)])).toThrow(/b started while a was running/);
    // The stalled run ended after its re-run started: its end does not end the re-run (the check passed this before).
    expect(() => assertSerialPerProject([rec('start', 'a', 1, 1), rec('start', 'a', 1, 2), rec('end', 'a', 1, 1, 5), rec('start', 'b', 2, 3)])).toThrow(/b started while a was running/);
    // Once the re-run ended, the next job may start.
    expect(() =>
      assertSerialPerProject([rec('start', 'a', 1, 1), rec('start', 'a', 1, 2), rec('end', 'a', 1, 1, 5), rec('end', 'a', 1, 2, 5), rec('start', 'b', 2, 3), rec('end', 'b', 2, 3, 6)]),
    ).not.toThrow();
  });

  it('accepts a stalled run that writes its start after newer runs, only if it names its job route change', () => {
    const before = [rec('start', 'a', 1, 2), rec('end', 'a', 1, 2, 5), rec('start', 'b', 2, 3)];
    expect(() => assertSerialPerProject([...before, rec('start', 'a', 1, 1), rec('end', 'a', 1, 1, 5), rec('end', 'b', 2, 3, 6)])).not.toThrow();
    expect(() => assertSerialPerProject([...before, rec('start', 'a', 1, 1), rec('end', 'a', 1, 1, 7), rec('end', 'b', 2, 3, 6)])).toThrow(/a stalled run of a \(fence 1\) committed route change #7 beside #5/);
    // Without fences (older traces) a late start is still refused as out of order.
    expect(() =>
      assertSerialPerProject([
        { event: 'start', projectId: 'p', jobId: 'b', ticket: 2, at: 0, pid: 1 },
        { event: 'end', projectId: 'p', jobId: 'b', ticket: 2, at: 0, pid: 1 },
        { event: 'start', projectId: 'p', jobId: 'a', ticket: 1, at: 0, pid: 1 },
      ]),
    ).toThrow(/a started with ticket 1 after b had run with ticket 2/);
  });
});
