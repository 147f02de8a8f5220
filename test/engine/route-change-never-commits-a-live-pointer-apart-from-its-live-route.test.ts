import { newId } from '../../src/ids';
import { applyRouteChange } from '../../src/routing/changes/apply-route-change';
import { LiveRouteMismatchError } from '../../src/routing/changes/live-route-invariant';
import type { AppliedRoute, RouteDecision } from '../../src/routing/changes/route-change-types';
import { TerminalError } from '../../src/errors';
import { seedProject } from '../support/seed';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * The backstop in the one transaction every route change goes through: whatever a step decides, the project's live
 * pointer and its live route agree once the change commits (exactly one live route, on the live deployment; none when
 * nothing is live). A decision that breaks it fails with a terminal LiveRouteMismatchError and writes nothing.
 */
describe('applyRouteChange never commits a live pointer apart from its live route', () => {
  let db: TestDatabase;
  let fence = 0;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  async function world() {
    const seeded = await seedProject(db.prisma);
    const live = `api-${seeded.workspace.slug}.deploy.localhost`;
    const env = `api-production-${seeded.workspace.slug}.deploy.localhost`;
    const route = (hostname: string, sticky: AppliedRoute['sticky'], from: string | null, to: string | null): AppliedRoute => ({
      hostname,
      sticky,
      environmentId: seeded.production.id,
      fromDeploymentId: from,
      toDeploymentId: to,
    });
    const apply = (decision: RouteDecision) =>
      applyRouteChange(db.prisma, { operationId: newId('op'), operationKind: 'test', projectId: seeded.project.id, fence: ++fence, decide: async () => decision });
    const snapshot = async () => ({
      live: (await db.prisma.project.findUniqueOrThrow({ where: { id: seeded.project.id } })).liveDeploymentId,
      routes: (await db.prisma.ingressRoute.findMany({ where: { projectId: seeded.project.id }, orderBy: { hostname: 'asc' } })).map((r) => [r.sticky, r.hostname, r.deploymentId]),
      changes: await db.prisma.routeChange.count({ where: { projectId: seeded.project.id } }),
    });
    return { seeded, live, env, route, apply, snapshot };
  }

  const refused = async (attempt: Promise<unknown>) => {
    const err = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LiveRouteMismatchError);
    expect(err).toBeInstanceOf(TerminalError);
    expect((err as LiveRouteMismatchError).code).toBe('live_route_mismatch');
    return err as LiveRouteMismatchError;
  };

  it('refuses a live pointer with no live route, and nothing of the change is written', async () => {
    const w = await world();
    const err = await refused(w.apply({ changes: [w.route(w.env, 'environment', null, 'dep_a')], live: 'dep_a', notes: [] }));
    expect(err.message).toContain('no live route');
    expect(await w.snapshot()).toEqual({ live: null, routes: [], changes: 0 });
  });

  it('refuses a live route left on another deployment, a second live route, and a live route with nothing live', async () => {
    const w = await world();
    await w.apply({ changes: [w.route(w.live, 'live', null, 'dep_a')], live: 'dep_a', notes: [] });
    const committed = await w.snapshot();
    expect(committed).toEqual({ live: 'dep_a', routes: [['live', w.live, 'dep_a']], changes: 1 });

    await refused(w.apply({ changes: [], live: 'dep_b', notes: [] }));
    await refused(w.apply({ changes: [w.route(`x-${w.live}`, 'live', null, 'dep_a')], notes: [] }));
    await refused(w.apply({ changes: [], live: null, notes: [] }));
    expect(await w.snapshot()).toEqual(committed);

    // The consistent versions of the same intents commit.
    await w.apply({ changes: [w.route(w.live, 'live', 'dep_a', 'dep_b')], live: 'dep_b', notes: [] });
    await w.apply({ changes: [w.route(w.live, 'live', 'dep_b', null)], live: null, notes: [] });
    expect(await w.snapshot()).toEqual({ live: null, routes: [], changes: 3 });
  });

  it('with "live if routed", leaves the pointer where the live route did not end on the deployment (a dropped change)', async () => {
    const w = await world();
    const other = await seedProject(db.prisma);
    // Another project holds the hostname: the create is dropped ("changed by someone else meanwhile"), so not live.
    await db.prisma.ingressRoute.create({ data: { id: newId('rt'), hostname: w.live, projectId: other.project.id, environmentId: other.production.id, deploymentId: 'dep_other', sticky: 'live' } });
    const record = await w.apply({ changes: [w.route(w.live, 'live', null, 'dep_a'), w.route(w.env, 'environment', null, 'dep_a')], live: { ifLiveRouteOn: 'dep_a' }, notes: [] });
    expect(record.liveTo).toBeNull();
    expect(record.notes.join('\n')).toContain(`${w.live}: changed by someone else meanwhile`);
    expect(await w.snapshot()).toEqual({ live: null, routes: [['environment', w.env, 'dep_a']], changes: 1 });

    // Where it did land, the deployment is live.
    const alt = `alt-${w.live}`;
    const landed = await w.apply({ changes: [w.route(alt, 'live', null, 'dep_b')], live: { ifLiveRouteOn: 'dep_b' }, notes: [] });
    expect(landed.liveTo).toBe('dep_b');
  });
});
