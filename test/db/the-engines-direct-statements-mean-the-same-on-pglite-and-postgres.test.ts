import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(__dirname, 'support', 'engine-statements-run.ts');

interface Run {
  startedAfter: number;
  finishedBefore: number;
  firstMs: number;
  directStartedAt: number | string;
  waited: { sentDuringTransaction: boolean; answeredInsideIt: boolean };
  end: { ended: boolean; durationMs: number };
  again: { ended: boolean; durationMs: number };
  operation: { state: string; errorCode: string | null; result: unknown; startedAt: number; finishedAt: number };
  steps: { name: string; status: string; attempts: number; output: string | null; error: string | null; startedAt: number | null; endedAt: number | null }[];
}

/** In a time zone other than UTC, so that a timestamp written or read as local time would be hours off. */
function run(target: string): Run {
  const out = execFileSync(process.execPath, ['--import', 'tsx', SCRIPT, target], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TZ: 'America/New_York' },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Run;
}

/**
 * The engine's step and operation statements go past Prisma (`Database.sql`): on node-postgres through the shared
 * pool, on the embedded PGlite through its `query`. Both must write and read what Prisma would: the same rows, and
 * timestamps as UTC instants whatever the process's time zone.
 */
function expectPrismaReadsWhatTheEngineWrote(r: Run): void {
  expect(r.steps.map(({ name, status, attempts, output, error }) => ({ name, status, attempts, output, error }))).toEqual([
    { name: 'first', status: 'succeeded', attempts: 1, output: 'done', error: null },
    { name: 'second', status: 'failed', attempts: 2, output: null, error: 'boom' },
    { name: 'third', status: 'skipped', attempts: 0, output: null, error: 'not run: boom' },
  ]);
  // Ended once, by the first call; the second changed nothing.
  expect(r.operation).toMatchObject({ state: 'failed', errorCode: 'STEP_FAILED', result: null });
  expect(r.end.ended).toBe(true);
  expect(r.again).toEqual({ ended: false, durationMs: r.end.durationMs });
  const instants = [r.operation.startedAt, r.operation.finishedAt, ...r.steps.flatMap((s) => [s.startedAt, s.endedAt]).filter((t): t is number => t !== null)];
  for (const t of instants) {
    expect(t).toBeGreaterThanOrEqual(r.startedAfter);
    expect(t).toBeLessThanOrEqual(r.finishedBefore);
  }
  // The first step's statement started the operation; the step's duration is its row's start to its end.
  expect(r.operation.startedAt).toBe(r.steps[0].startedAt);
  expect(r.firstMs).toBe(r.steps[0].endedAt! - r.steps[0].startedAt!);
  expect(r.directStartedAt).toBe(r.steps[0].startedAt);
}

describe("the engine's direct statements", () => {
  it('run on the embedded PGlite as Prisma would, waiting for an interactive transaction that holds its connection', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'deployflow-pglite-sql-'));
    try {
      const r = run(dataDir);
      expectPrismaReadsWhatTheEngineWrote(r);
      expect(r.waited).toEqual({ sentDuringTransaction: true, answeredInsideIt: false });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  describe('on PostgreSQL', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(async () => {
      await db.drop();
    });

    it('run through the shared pool as Prisma would', () => {
      expectPrismaReadsWhatTheEngineWrote(run(db.url));
    }, 90_000);
  });
});
