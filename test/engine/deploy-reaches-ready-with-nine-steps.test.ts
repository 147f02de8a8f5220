import { DEPLOY_STEPS } from '../../flows/step-names';
import { seedProject } from '../support/seed';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';

describe('deploy flow', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness();
  });
  afterAll(async () => h.close());

  it('runs all nine steps in order, stores the OpenAPI spec, assigns routes and becomes live', async () => {
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    const { deploymentId, operationId } = await h.deploy(
      { projectId: project.id, image: HELLO_API, git: { branch: 'main', commitSha: 'ABCDEF1234567' }, runtime: { env: { VERSION: 'v1' } } },
      workspace.id,
    );
    const op = await h.waitForOperation(operationId);
    expect(op.errorMessage).toBeNull();
    expect(op.state).toBe('succeeded');

    const d = await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
    expect(d.status).toBe('ready');
    expect(JSON.parse(d.openapiSpec!).openapi).toMatch(/^3\./);

    const steps = await h.db.prisma.deploymentStep.findMany({ where: { ownerId: deploymentId }, orderBy: { position: 'asc' } });
    expect(steps.map((s) => s.name)).toEqual([...DEPLOY_STEPS]);
    expect(steps.every((s) => s.status === 'succeeded')).toBe(true);
    for (let i = 1; i < steps.length; i++) expect(steps[i].startedAt!.getTime()).toBeGreaterThanOrEqual(steps[i - 1].endedAt!.getTime());

    const routes = await h.db.prisma.ingressRoute.findMany({ where: { projectId: project.id } });
    expect(routes.map((r) => r.sticky).sort()).toEqual(['branch', 'commit', 'deployment', 'environment', 'live']);
    expect(routes.every((r) => r.deploymentId === deploymentId)).toBe(true);
    expect(routes.find((r) => r.sticky === 'live')!.hostname).toBe('shop-acme.deploy.localhost');

    const p = await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } });
    expect(p.liveDeploymentId).toBe(deploymentId);
    const changes = await h.db.prisma.routeChange.findMany({ where: { projectId: project.id } });
    expect(changes).toHaveLength(1);
  });
});
