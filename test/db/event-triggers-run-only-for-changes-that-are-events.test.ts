import { Client } from 'pg';
import { readEventsAfter } from '../../src/events/deployment-event-log';
import { newId } from '../../src/ids';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * The event log's triggers cost PostgreSQL work on every row they fire for, so they decide in their WHEN clauses
 * whether a change is an event at all. Above all, a step event bumps its deployment's "eventSeq": that bump is no
 * status event, and must not run the deployment's status triggers (a deploy makes some twenty step writes).
 *
 * Counted with PostgreSQL's own per-transaction function statistics (`track_functions`), inside one transaction.
 */
describe('event triggers run only for changes that are events', () => {
  let db: TestDatabase;
  let client: Client;
  let deploymentId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const ws = await db.prisma.workspace.create({ data: { id: newId('ws'), slug: 'acme', name: 'acme' } });
    const project = await db.prisma.project.create({ data: { id: newId('prj'), workspaceId: ws.id, slug: 'shop', name: 'shop' } });
    const env = await db.prisma.environment.create({ data: { id: newId('env'), projectId: project.id, slug: 'production' } });
    deploymentId = (await db.prisma.deployment.create({ data: { id: newId('dep'), projectId: project.id, environmentId: env.id, image: 'file:x' } })).id;
    await db.prisma.deploymentStep.create({ data: { id: newId('stp'), ownerId: deploymentId, name: 'a', position: 0 } });
    client = new Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  /** How often each event function has run on this connection (PostgreSQL's function statistics not yet flushed). */
  async function functionCalls(): Promise<Record<string, number>> {
    const { rows } = await client.query<{ name: string; calls: string }>(
      `SELECT p.proname AS name, COALESCE(pg_stat_get_xact_function_calls(p.oid), 0) AS calls FROM pg_proc p
       WHERE p.proname IN ('deployment_step_event', 'deployment_status_seq', 'deployment_status_event')`,
    );
    return Object.fromEntries(rows.map((r) => [r.name, Number(r.calls)]));
  }

  /**
   * Runs `sql` in a transaction and returns how often each event function ran for it. The "xact" counters hold what
   * the connection has not yet reported, which can span transactions: so the difference across the statement.
   */
  async function callsDuring(sql: string, params: unknown[]): Promise<Record<string, number>> {
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL track_functions = 'pl'`);
      const before = await functionCalls();
      await client.query(sql, params);
      const after = await functionCalls();
      await client.query('COMMIT');
      return Object.fromEntries(Object.keys(after).map((name) => [name, after[name] - (before[name] ?? 0)]));
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
  }

  it('a step event runs the step trigger once and neither status trigger', async () => {
    const calls = await callsDuring(`UPDATE "DeploymentStep" SET "status" = 'running', "startedAt" = now() WHERE "ownerId" = $1 AND "name" = 'a'`, [deploymentId]);
    expect(calls).toEqual({ deployment_step_event: 1, deployment_status_seq: 0, deployment_status_event: 0 });
  });

  it('a step write that changes nothing an event shows runs no trigger function', async () => {
    const calls = await callsDuring(`UPDATE "DeploymentStep" SET "updatedAt" = now() WHERE "ownerId" = $1 AND "name" = 'a'`, [deploymentId]);
    expect(calls).toEqual({ deployment_step_event: 0, deployment_status_seq: 0, deployment_status_event: 0 });
  });

  it('a deployment write that is no status event runs no trigger function', async () => {
    const calls = await callsDuring(`UPDATE "Deployment" SET "image" = 'file:y', "cancelRequestedAt" = NULL WHERE "id" = $1`, [deploymentId]);
    expect(calls).toEqual({ deployment_step_event: 0, deployment_status_seq: 0, deployment_status_event: 0 });
  });

  it('a status move runs both status triggers once, and the log still holds every event in order', async () => {
    const calls = await callsDuring(`UPDATE "Deployment" SET "status" = 'building' WHERE "id" = $1`, [deploymentId]);
    expect(calls).toEqual({ deployment_step_event: 0, deployment_status_seq: 1, deployment_status_event: 1 });
    const events = await readEventsAfter(db.prisma, deploymentId, 0);
    expect(events.map((e) => [e.seq, e.type, e.data.status])).toEqual([
      [1, 'status', 'pending'],
      [2, 'step', 'pending'],
      [3, 'step', 'running'],
      [4, 'status', 'building'],
    ]);
  });
});
