import { Client } from 'pg';
import { openPostgres, type Database } from '../../src/db/database';
import { passRoutingGate } from '../../src/deployments/routing-gate';
import { supersedeOlderDeploys } from '../../src/deployments/supersede-older-deploys';
import { SupersededError } from '../../src/engine/errors';
import { newId } from '../../src/ids';
import { eventually } from '../support/http-get';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * Two production deploys of one branch reach assign-routes at once: the older one's routing gate and the newer one's
 * latest-wins update contend for the older deployment's row. Whichever gets the row lock first wins, and the other
 * sees what it did (PostgreSQL re-checks an UPDATE's conditions on the row it waited for): the older deploy is either
 * routed and never marked superseded, or superseded and never routed. Never both, never neither.
 */
describe('the routing gate racing latest wins for the same deployment', () => {
  let db: TestDatabase;
  let locker: Client;
  let observer: Client;
  // Each side on a database (pool, Prisma client and direct path) of its own, as two workers would be (so neither
  // waits for the other's pool connection).
  let olderWorker: Database;
  let newerWorker: Database;
  let projectId: string;
  let environmentId: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    locker = new Client({ connectionString: db.url });
    await locker.connect();
    observer = new Client({ connectionString: db.url });
    await observer.connect();
    olderWorker = openPostgres(db.url, 1);
    newerWorker = openPostgres(db.url, 1);
    const ws = await db.prisma.workspace.create({ data: { id: newId('ws'), slug: 'acme', name: 'acme' } });
    projectId = (await db.prisma.project.create({ data: { id: newId('prj'), workspaceId: ws.id, slug: 'shop', name: 'shop' } })).id;
    environmentId = (await db.prisma.environment.create({ data: { id: newId('env'), projectId, slug: 'production', isProduction: true } })).id;
  });
  afterAll(async () => {
    await locker.end();
    await observer.end();
    await Promise.all([olderWorker.close(), newerWorker.close()]);
    await db.drop();
  });

  /** An older and a newer deployment of a branch of their own, both still before routing (the older one polling). */
  let pairs = 0;
  async function pair() {
    const gitBranch = `branch-${++pairs}`;
    const [older, newer] = [newId('dep'), newId('dep')].sort();
    for (const id of [older, newer]) {
      await db.prisma.deployment.create({ data: { id, projectId, environmentId, image: 'file:x', gitBranch, status: 'deploying' } });
    }
    return { older, newer };
  }
  // Asked outside the locker's transaction: inside one, pg_stat_activity is a snapshot that never changes.
  const waitingOnLocks = async (n: number) =>
    eventually(async () => {
      const { rows } = await observer.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      if (Number(rows[0].n) < n) throw new Error(`${rows[0].n} waiting on locks, want ${n}`);
    }, 10_000);

  /** Holds the older row's lock, queues `first` then `second` behind it, and lets them go in that order. */
  async function race<A, B>(older: string, first: () => Promise<A>, second: () => Promise<B>) {
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM "Deployment" WHERE id = $1 FOR UPDATE', [older]);
    const a = first().then((value) => ({ value }), (error: unknown) => ({ error }));
    await waitingOnLocks(1);
    const b = second().then((value) => ({ value }), (error: unknown) => ({ error }));
    await waitingOnLocks(2);
    await locker.query('COMMIT');
    return [await a, await b] as const;
  }

  it('the older deploy gets there first: it is routed, and the newer one supersedes nothing', async () => {
    const { older, newer } = await pair();
    const [gate, superseded] = await race(older, () => passRoutingGate(olderWorker, older), () => supersedeOlderDeploys(newerWorker, newer));
    expect(gate).toEqual({ value: undefined });
    expect(superseded).toEqual({ value: [] });
    const row = await db.prisma.deployment.findUniqueOrThrow({ where: { id: older } });
    expect(row.routingStartedAt).toBeInstanceOf(Date);
    expect(row).toMatchObject({ cancelRequestedAt: null, supersededById: null });
  });

  it('the newer deploy gets there first: the older one is superseded and its gate refuses it, naming the newer one', async () => {
    const { older, newer } = await pair();
    const [superseded, gate] = await race(older, () => supersedeOlderDeploys(newerWorker, newer), () => passRoutingGate(olderWorker, older));
    expect(superseded).toEqual({ value: [older] });
    expect('error' in gate && gate.error).toBeInstanceOf(SupersededError);
    expect('error' in gate && (gate.error as SupersededError).message).toBe(`deployment ${older} was superseded by deployment ${newer}`);
    const row = await db.prisma.deployment.findUniqueOrThrow({ where: { id: older } });
    expect(row).toMatchObject({ routingStartedAt: null, supersededById: newer });
    expect(row.cancelRequestedAt).toBeInstanceOf(Date);
    // A repeat (a retry of the newer deploy's step) stops nothing more; the gate keeps refusing.
    expect(await supersedeOlderDeploys(db, newer)).toEqual([]);
    await expect(passRoutingGate(db, older)).rejects.toThrow(SupersededError);
  });

  it('never the other way round: an older deploy that passed its gate supersedes nothing newer', async () => {
    const { older, newer } = await pair();
    await passRoutingGate(db, older);
    expect(await supersedeOlderDeploys(db, older)).toEqual([]);
    expect(await db.prisma.deployment.findUniqueOrThrow({ where: { id: newer } })).toMatchObject({ cancelRequestedAt: null, supersededById: null });
  });
});
