import { createProject, seedDeployment, seedRoute } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/projects/:id/routes (happy path)', () => {
  const { h, acme } = useApiHarness(['acme']);

  it('lists every route of the project with where it points, the live deployment and the pin', async () => {
    const project = await createProject(h, acme.admin, 'shop');
    const v1 = await seedDeployment(h.db.prisma, { projectId: project.id, live: true });
    const v2 = await seedDeployment(h.db.prisma, { projectId: project.id });
    const pr = await seedDeployment(h.db.prisma, { projectId: project.id, environment: 'preview' });
    const rolledBackAt = new Date('2026-02-03T04:05:06.000Z');
    await h.db.prisma.project.update({
      where: { id: project.id },
      data: { isRolledBack: true, rolledBackAt, rolledBackBy: 'key_someone', rollbackReason: 'v2 broke login', rolledBackFromDeploymentId: v2.id },
    });
    await seedRoute(h.db.prisma, { projectId: project.id, deploymentId: pr.id, hostname: 'shop-preview-acme.deploy.localhost', sticky: 'environment', environment: 'preview' });
    await seedRoute(h.db.prisma, { projectId: project.id, deploymentId: v2.id, hostname: 'shop-git-main-acme.deploy.localhost', sticky: 'branch', branch: 'main' });
    await seedRoute(h.db.prisma, { projectId: project.id, deploymentId: v1.id, hostname: 'shop-acme.deploy.localhost', sticky: 'live' });
    await seedRoute(h.db.prisma, { projectId: project.id, deploymentId: v1.id, hostname: 'shop-production-acme.deploy.localhost', sticky: 'environment' });
    await seedRoute(h.db.prisma, { projectId: project.id, deploymentId: v1.id, hostname: 'shop.example.com', sticky: 'custom' });

    const res = await h.call('GET', '/v1/projects/shop/routes', { key: acme.viewer });
    expect(res.status).toBe(200);
    expect(res.body.projectId).toBe(project.id);
    expect(res.body.liveDeploymentId).toBe(v1.id);
    expect(res.body.pin).toEqual({ isRolledBack: true, rolledBackAt: rolledBackAt.toISOString(), rolledBackBy: 'key_someone', reason: 'v2 broke login', fromDeploymentId: v2.id });
    const port = h.ctx.config.GATEWAY_PORT;
    expect(res.body.routes.map((r: Record<string, unknown>) => [r.environment, r.sticky, r.hostname, r.deploymentId, r.branch])).toEqual([
      ['preview', 'environment', 'shop-preview-acme.deploy.localhost', pr.id, null],
      ['production', 'live', 'shop-acme.deploy.localhost', v1.id, null],
      ['production', 'environment', 'shop-production-acme.deploy.localhost', v1.id, null],
      ['production', 'custom', 'shop.example.com', v1.id, null],
      ['production', 'branch', 'shop-git-main-acme.deploy.localhost', v2.id, 'main'],
    ]);
    expect(res.body.routes[1].url).toBe(`http://shop-acme.deploy.localhost:${port}/`);
    expect(Date.parse(res.body.routes[1].updatedAt)).not.toBeNaN();
  });

  it('answers an empty table for a project never deployed', async () => {
    const project = await createProject(h, acme.admin, 'new');
    const res = await h.call('GET', `/v1/projects/${project.id}/routes`, { key: acme.deployer });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      projectId: project.id,
      liveDeploymentId: null,
      pin: { isRolledBack: false, rolledBackAt: null, rolledBackBy: null, reason: null, fromDeploymentId: null },
      routes: [],
    });
  });
});
