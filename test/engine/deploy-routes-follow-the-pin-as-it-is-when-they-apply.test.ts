import { decideDeployRoutes } from '../../processors/assign-routes';
import { readDeployFacts } from '../../src/deployments/deploy-facts';
import { requestSwitch } from '../../src/operations/request-switch';
import { createDeploy } from '../../src/operations/create-deploy';
import { DeployRequest } from '../../src/operations/deploy-request';
import { planDeployment } from '../../src/routing/plans/deploy-plan-input';
import { seedProject } from '../support/seed';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';

/**
 * A deploy plans its routes (build-routes) and applies them later, when its turn in the project's routing order comes
 * (assign-routes). Switches requested meanwhile apply first. The deploy must then decide on the state as it is when it
 * applies: found by the serialization storm under load, where a deploy planned while the project was pinned, a
 * promote cleared the pin before the deploy's turn, and the deploy still stayed off live (the last request did not win).
 */
describe('a deploy applies its routes by the state at its turn, not the state it planned under', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness();
  });
  afterAll(async () => h.close());

  it('goes live when a promote cleared the pin between its build-routes and its assign-routes', async () => {
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'pins', project: 'shop' });
    const caller = { workspaceId: workspace.id, requestedBy: 'test' };
    const deps = { prisma: h.db.prisma, enqueue: h.engine.enqueue };
    const v1 = await h.deploy({ projectId: project.id, image: HELLO_API }, workspace.id);
    expect((await h.waitForOperation(v1.operationId)).state).toBe('succeeded');
    const v2 = await h.deploy({ projectId: project.id, image: HELLO_API }, workspace.id);
    expect((await h.waitForOperation(v2.operationId)).state).toBe('succeeded');
    const rollback = await requestSwitch(deps, caller, { kind: 'rollback', projectId: project.id, targetDeploymentId: v1.deploymentId });
    expect((await h.waitForOperation(rollback.operationId)).state).toBe('succeeded');

    // v3 plans while the project is pinned to v1: its plan keeps it off the live and environment routes.
    const v3 = await createDeploy({ prisma: h.db.prisma, enqueue: async () => undefined }, caller, DeployRequest.parse({ projectId: project.id, image: HELLO_API }));
    const stored = await planDeployment(h.db.prisma, v3.deploymentId, h.ctx.config.APEX_DOMAIN);
    expect(stored.setLive).toBe(false);

    // A promote of the live deployment confirms it: the pin is cleared before v3's turn comes.
    const promote = await requestSwitch(deps, caller, { kind: 'promote', projectId: project.id, targetDeploymentId: v1.deploymentId });
    expect((await h.waitForOperation(promote.operationId)).state).toBe('succeeded');
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).isRolledBack).toBe(false);

    // As assign-routes decides: on the project row as its transaction sees it (the routing step's lock), with the facts
    // fetch-metadata handed on.
    const facts = await readDeployFacts(h.db.prisma, v3.deploymentId);
    const decision = await h.db.prisma.$transaction(async (tx) => {
      const locked = await tx.project.findUniqueOrThrow({ where: { id: project.id } });
      return decideDeployRoutes({ apex: h.ctx.config.APEX_DOMAIN }, { deploymentId: v3.deploymentId }, stored, tx, locked, facts);
    });
    expect(decision.live).toEqual({ ifLiveRouteOn: v3.deploymentId });
    const moved = decision.changes.filter((c) => c.sticky === 'live' || c.sticky === 'environment').map((c) => [c.sticky, c.fromDeploymentId]);
    expect(moved.sort()).toEqual([
      ['environment', v1.deploymentId],
      ['live', v1.deploymentId],
    ]);
    expect(decision.notes.join('\n')).toContain('(state changed since build-routes)');
  });
});
