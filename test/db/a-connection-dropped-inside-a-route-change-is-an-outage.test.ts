import { Client } from 'pg';
import { isInfrastructureOutage } from '../../src/engine/infrastructure-outage';
import { applyRouteChange } from '../../src/routing/changes/apply-route-change';
import type { RouteDecision } from '../../src/routing/changes/route-change-types';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { seedProject } from '../support/seed';

/**
 * The server ends the connection a route change's transaction holds (a restart, a failover, an administrator) while
 * the transaction is open: the error that ended it goes to the connection's listener, and the transaction's next
 * statement fails with node-postgres' "Client has encountered a connection error and is not queryable". That is the
 * database going away, not a failure of the step: the routing step must wait it out as an outage (without spending its
 * attempts).
 */
describe('a connection dropped inside a route change', () => {
  let db: TestDatabase;
  let killer: Client;
  let projectId: string;
  let environmentId: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    killer = new Client({ connectionString: db.url });
    await killer.connect();
    const { project, production } = await seedProject(db.prisma, { workspace: 'acme', project: 'shop' });
    projectId = project.id;
    environmentId = production.id;
    await db.prisma.deployment.create({ data: { id: 'dep_a', projectId, environmentId, image: 'file:x', status: 'ready' } });
  });
  afterAll(async () => {
    await killer.end();
    await db.drop();
  });

  let changes = 0;
  /** A route change whose `decide` has the server end the transaction's connection before it answers. */
  const droppedMidway = (holder: Parameters<typeof applyRouteChange>[0], decision: RouteDecision) =>
    applyRouteChange(holder, {
      operationId: `op_${++changes}`,
      operationKind: 'deploy',
      projectId,
      fence: 1,
      decide: async (tx) => {
        const [{ pid }] = await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
        await killer.query('SELECT pg_terminate_backend($1)', [pid]);
        await new Promise((r) => setTimeout(r, 100));
        return decision;
      },
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
  const create: RouteDecision = { changes: [{ hostname: 'h.example.test', sticky: 'deployment', environmentId: '', fromDeploymentId: null, toDeploymentId: 'dep_a' }], notes: [] };

  it('fails as an outage, and the next one commits', async () => {
    const holder = () => db.prisma;
    const decision = () => ({ ...create, changes: create.changes.map((c) => ({ ...c, environmentId })) });
    const committedBefore = await db.prisma.routeChange.count({ where: { projectId } });
    const err = await droppedMidway(holder(), decision());
    expect(err).toBeInstanceOf(Error);
    expect({ message: (err as Error).message, outage: isInfrastructureOutage(err) }).toEqual({ message: (err as Error).message, outage: true });
    // Nothing of it committed, and the pool hands out a working connection again.
    expect(await db.prisma.routeChange.count({ where: { projectId } })).toBe(committedBefore);
    const next = await applyRouteChange(holder(), { operationId: `op_${++changes}`, operationKind: 'deploy', projectId, fence: 1, decide: async () => ({ changes: [], notes: [] }) });
    expect(next.replayed).toBe(false);
  });
});
