import fc from 'fast-check';
import { newStats, runSequence, sequenceArbitrary } from './operation-sequences';
import { RoutingBed, startRoutingBed } from './routing-bed';

// At least 200 random sequences per run (ROUTING_PROPERTY_RUNS raises it), in LANES independent fast-check runs at once:
// each sequence has projects of its own, so lanes never touch each other's state, and the engine is kept busy.
const RUNS = Number(process.env.ROUTING_PROPERTY_RUNS ?? 200);
const LANES = 4;
// ROUTING_PROPERTY_SEED=<n> replays a reported run (lane i uses seed n + i).
const SEED = process.env.ROUTING_PROPERTY_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.ROUTING_PROPERTY_SEED);

/**
 * Random sequences of deploy (production, preview, never healthy), deploy-then-cancel, rollback, promote, undo and a
 * deploy racing a rollback/promote/undo, on 1–3 projects whose hostnames collide on purpose, run against the real
 * engine (BullMQ on Redis, PostgreSQL, the Krane gRPC server, the gateway); after every operation: live pointer ⇔ live
 * route, routes only on ready deployments of their own project, the route-change history replays to the routes, and
 * the gateway serves the live deployment. A failure is shrunk to a minimal sequence: keep it as a named regression
 * test in routing-regressions-found-by-random-sequences.test.ts.
 */
describe('routing invariants over random operation sequences', () => {
  let bed: RoutingBed;
  beforeAll(async () => {
    bed = await startRoutingBed({ concurrency: 16 });
  }, 60_000);
  afterAll(async () => bed.close(), 60_000);

  it(`hold after every operation of ${RUNS} random sequences`, async () => {
    const stats = newStats();
    const started = Date.now();
    const perLane = Math.ceil(RUNS / LANES);
    const lanes = Array.from({ length: LANES }, (_, lane) =>
      fc.assert(
        fc.asyncProperty(sequenceArbitrary, (sequence) => runSequence(bed, sequence, stats)),
        { numRuns: perLane, seed: SEED + lane, endOnFailure: false },
      ),
    );
    const results = await Promise.allSettled(lanes);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `routing property: ${stats.sequences} sequences, ${stats.operations} operations checked in ${seconds.toFixed(1)} s ` +
        `(seed ${SEED}, ${LANES} lanes; ${Math.round(stats.operationMs / Math.max(1, stats.operations))} ms per operation, ${Math.round(stats.checkMs / Math.max(1, stats.operations))} ms per check; ms per kind ${JSON.stringify(Object.fromEntries(Object.entries(stats.byKind).map(([k, v]) => [k, Math.round(v.ms / v.count)])))}); outcomes ${JSON.stringify(Object.fromEntries(Object.entries(stats.outcomes).sort()))}`,
    );
    // fast-check reports the shrunk counterexample in the message and the property's own error (the violations) as its cause.
    const failures = results.flatMap((r, lane) => {
      if (r.status === 'fulfilled') return [];
      const err = r.reason as Error & { cause?: unknown };
      return [`lane ${lane} (seed ${SEED + lane}): ${err.message}${err.cause instanceof Error ? `\n${err.cause.message}` : ''}`];
    });
    if (failures.length) throw new Error(failures.join('\n\n'));
    expect(stats.sequences).toBeGreaterThanOrEqual(RUNS);
  }, 900_000);
});
