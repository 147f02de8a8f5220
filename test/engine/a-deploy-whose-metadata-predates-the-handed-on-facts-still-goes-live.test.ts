import { fetchMetadata } from '../../processors/fetch-metadata';
import { InstantDriver } from '../../src/krane/drivers/instant-driver';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';

/**
 * fetch-metadata hands on what cannot change about a deployment (its git fields, replicas, health and OpenAPI paths,
 * slugs) and later steps take it from its output instead of reading the rows again. A deploy whose fetch-metadata ran
 * on the version before (its output, kept in Redis with the job, has the slugs and ids only) may still be mid-way when
 * the new workers start: its later steps must read what is missing, not build hostnames without a branch or commit, nor
 * poll for an unknown number of replicas.
 */
describe('a deploy whose fetch-metadata output predates the handed-on facts', () => {
  let h: EngineHarness<InstantDriver>;
  beforeAll(async () => {
    h = await startEngineHarness({ kraneDriver: new InstantDriver() });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await h.close();
  });

  it('still creates its branch and commit routes and goes live', async () => {
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'older', project: 'shop' });
    // What fetch-metadata returned before: namespace, slugs, ids and isProduction, nothing else.
    jest.spyOn(fetchMetadata, 'run').mockImplementation(async ({ services, data }) => {
      const d = await services.prisma.deployment.findUniqueOrThrow({ where: { id: data.deploymentId }, include: { project: { include: { workspace: true } }, environment: true } });
      return {
        namespace: d.project.workspace.slug,
        workspaceSlug: d.project.workspace.slug,
        projectId: d.project.id,
        projectSlug: d.project.slug,
        environmentId: d.environment.id,
        environmentSlug: d.environment.slug,
        isProduction: d.environment.isProduction,
      } as Awaited<ReturnType<typeof fetchMetadata.run>>;
    });
    const { deploymentId, operationId } = await h.deploy({ projectId: project.id, image: HELLO_API, git: { branch: 'main', commitSha: 'ABCDEF1234567' }, runtime: { replicas: 2 } }, workspace.id);
    const op = await h.waitForOperation(operationId);
    expect({ state: op.state, error: op.errorMessage }).toEqual({ state: 'succeeded', error: null });

    const routes = await h.db.prisma.ingressRoute.findMany({ where: { projectId: project.id } });
    expect(routes.map((r) => r.sticky).sort()).toEqual(['branch', 'commit', 'deployment', 'environment', 'live']);
    expect(routes.every((r) => r.deploymentId === deploymentId)).toBe(true);
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(deploymentId);
    // It polled for the deployment's two replicas, read from its row.
    const poll = await h.db.prisma.deploymentStep.findFirstOrThrow({ where: { ownerId: deploymentId, name: 'poll-instances' } });
    expect(poll.output).toContain('2/2 instance(s) healthy');
  });
});
