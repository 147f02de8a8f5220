import { seedProject } from '../support/seed';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';

describe('a deploy to preview', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness();
  });
  afterAll(async () => h.close());

  it('gets its own preview hostnames and leaves live routes and the live pointer alone', async () => {
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    const prod = await h.deploy({ projectId: 'shop', image: HELLO_API, git: { branch: 'main' } }, workspace.id);
    expect((await h.waitForOperation(prod.operationId)).state).toBe('succeeded');
    const liveBefore = await h.db.prisma.ingressRoute.findMany({ where: { projectId: project.id, sticky: { in: ['live', 'environment'] } }, orderBy: { hostname: 'asc' } });

    const preview = await h.deploy({ projectId: 'shop', environment: 'preview', image: HELLO_API, git: { branch: 'feature/Login-Page' } }, workspace.id);
    expect((await h.waitForOperation(preview.operationId)).state).toBe('succeeded');

    const p = await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } });
    expect(p.liveDeploymentId).toBe(prod.deploymentId);
    const prodEnvRoutes = await h.db.prisma.ingressRoute.findMany({ where: { hostname: { in: liveBefore.map((r) => r.hostname) } }, orderBy: { hostname: 'asc' } });
    expect(prodEnvRoutes).toEqual(liveBefore);
    const previewRoutes = await h.db.prisma.ingressRoute.findMany({ where: { deploymentId: preview.deploymentId } });
    expect(previewRoutes.map((r) => [r.sticky, r.hostname]).sort()).toEqual([
      ['branch', 'shop-git-feature-login-page-acme.deploy.localhost'],
      ['deployment', expect.stringMatching(/^shop-[0-9a-z]{8}-acme\.deploy\.localhost$/)],
      ['environment', 'shop-preview-acme.deploy.localhost'],
    ]);
    const update = await h.db.prisma.deploymentStep.findUniqueOrThrow({ where: { ownerId_name: { ownerId: preview.deploymentId, name: 'update-live' } } });
    expect(update.output).toMatch(/not live: preview is not production/);
  });
});
