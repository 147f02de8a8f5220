import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(__dirname, 'support', 'deploy-statements-run.ts');

type Instant = { date: number };
type Row = Record<string, unknown>;

interface Run {
  startedAfter: number;
  finishedBefore: number;
  ids: { older: string; newer: string; unbranched: string };
  again: { same: boolean; existing: boolean };
  missing: string;
  facts: Row[];
  moved: boolean;
  notMoved: boolean;
  withReason: boolean;
  returned: Row;
  prismaRow: Row;
  instances: { id: string; address: string; status: string; lastSeenAt: Instant }[];
  hostname: string;
  routes: { routes: { existing: Row[]; custom: Row[] }; pinned: boolean };
  superseded: string[];
  supersededAgain: string[];
  olderGate: string;
  deployments: (Row & { id: string; cancelRequestedAt: Instant | null; routingStartedAt: Instant | null; createdAt: Instant; updatedAt: Instant })[];
  live: Row;
  noProject: Row;
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
 * A deploy's own statements go past Prisma (`Database.sql`): on node-postgres through the shared pool, on the embedded
 * PGlite through its `query`. Both must do and answer what Prisma did: the same rows written, the same values read
 * back (a row as Prisma's model returns it, timestamps as the UTC instants, JSON parsed, booleans and numbers as such),
 * the same refusals.
 */
function expectWhatPrismaDid(r: Run): void {
  const within = (t: Instant | null) => {
    expect(t).not.toBeNull();
    expect(t!.date).toBeGreaterThanOrEqual(r.startedAfter);
    expect(t!.date).toBeLessThanOrEqual(r.finishedBefore);
  };
  const { older, newer, unbranched } = r.ids;
  // The request: its facts handed on, the idempotency key answering with the earlier deploy, a missing project refused.
  expect(r.again).toEqual({ same: true, existing: true });
  expect(r.missing).toBe('NotFoundError');
  expect(r.facts.map((f) => ({ branch: f.branch, commitSha: f.commitSha, replicas: f.replicas, isProduction: f.isProduction, slug: f.projectSlug, ns: f.namespace }))).toEqual([
    { branch: 'main', commitSha: 'abcdef1', replicas: 2, isProduction: true, slug: 'shop', ns: 'acme' },
    { branch: null, commitSha: 'abcdef1', replicas: 2, isProduction: true, slug: 'shop', ns: 'acme' },
    { branch: 'main', commitSha: 'abcdef1', replicas: 2, isProduction: true, slug: 'shop', ns: 'acme' },
  ]);
  // The status moves: compare-and-set, and the returning one gives the row exactly as Prisma's model reads it.
  expect([r.moved, r.notMoved, r.withReason]).toEqual([true, false, true]);
  expect(r.returned).toEqual(r.prismaRow);
  expect(r.returned).toMatchObject({ id: newer, status: 'deploying', replicas: 2, envVars: { A: 'b' }, gitBranch: 'main', cancelRequestedAt: null });
  within(r.returned.createdAt as Instant);
  within(r.returned.updatedAt as Instant);
  // The instances: upserted, and the one Krane no longer lists stopped.
  expect(r.instances.map(({ id, address, status }) => ({ id, address, status }))).toEqual([
    { id: 'i-1', address: '127.0.0.1:3', status: 'stopping' },
    { id: 'i-2', address: '127.0.0.1:2', status: 'stopped' },
  ]);
  r.instances.forEach((i) => within(i.lastSeenAt));
  // build-routes' read: the pin and the routes, JSON parsed.
  expect(r.routes.pinned).toBe(false);
  expect(r.routes.routes.existing).toEqual([expect.objectContaining({ hostname: r.hostname, deploymentId: older, sticky: 'live', branch: null })]);
  expect(r.routes.routes.custom).toEqual([expect.objectContaining({ hostname: 'www.custom.test', deploymentId: older, sticky: 'custom', branch: 'main' })]);
  // Latest wins stops the older deploy of the branch once (not the one without a branch); its gate then refuses, naming
  // the newer one; the newer one's gate passes, and passes again.
  expect(r.superseded).toEqual([older]);
  expect(r.supersededAgain).toEqual([]);
  expect(r.olderGate).toBe('SupersededError');
  const byId = Object.fromEntries(r.deployments.map((d) => [d.id, d]));
  expect(byId[older]).toMatchObject({ status: 'pending', supersededById: newer, routingStartedAt: null });
  within(byId[older].cancelRequestedAt);
  expect(byId[older].updatedAt).toEqual(byId[older].cancelRequestedAt);
  expect(byId[unbranched]).toMatchObject({ status: 'pending', supersededById: null, cancelRequestedAt: null, routingStartedAt: null, gitBranch: null });
  expect(byId[newer]).toMatchObject({ status: 'network', statusReason: 'why', failedStep: null, supersededById: null, cancelRequestedAt: null });
  within(byId[newer].routingStartedAt);
  expect(byId[newer].updatedAt).toEqual(byId[newer].routingStartedAt);
  // The live state: read in one statement, a project gone said as such.
  expect(r.live).toEqual({ projectFound: true, liveDeploymentId: null, isRolledBack: false, status: 'network', release: null, watch: null });
  expect(r.noProject).toEqual({ projectFound: false, liveDeploymentId: null, isRolledBack: false, status: null, release: null, watch: null });
}

describe("a deploy's direct statements", () => {
  it('run on the embedded PGlite as Prisma ran them', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'deployflow-pglite-deploy-sql-'));
    try {
      expectWhatPrismaDid(run(dataDir));
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

    it('run through the shared pool as Prisma ran them', () => {
      expectWhatPrismaDid(run(db.url));
    }, 90_000);
  });
});
