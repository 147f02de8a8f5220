import { ApiHarness, errorFields } from './support/api-harness';
import { createProject, seedDeployment } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/projects/:id/promote/:deploymentId (refused)', () => {
  const { h, acme } = useApiHarness(['acme']);
  let projectId: string;
  let live: string;
  beforeAll(async () => {
    projectId = (await createProject(h, acme.admin, 'shop')).id;
    live = (await seedDeployment(h.db.prisma, { projectId, live: true })).id;
  });

  const promote = (target: string, options: Parameters<ApiHarness['call']>[2] = {}) =>
    h.call('POST', `/v1/projects/shop/promote/${target}`, { key: acme.deployer, ...options });
  const nothingStarted = async () => {
    expect(await h.db.prisma.operation.count()).toBe(0);
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: projectId } })).liveDeploymentId).toBe(live);
  };

  it.each(['pending', 'deploying', 'network', 'failed', 'superseded'] as const)('answers 422 deployment_not_ready for a %s deployment', async (status) => {
    const target = await seedDeployment(h.db.prisma, { projectId, status });
    const res = await promote(target.id);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('deployment_not_ready');
    await nothingStarted();
  });

  it('answers 422 not_production for a preview deployment', async () => {
    const target = await seedDeployment(h.db.prisma, { projectId, environment: 'preview' });
    const res = await promote(target.id);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('not_production');
    await nothingStarted();
  });

  it('answers 409 already_live for the live deployment of a project that is not rolled back', async () => {
    const res = await promote(live);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('already_live');
    await nothingStarted();
  });

  it('answers 404 for an unknown deployment or project', async () => {
    expect((await promote('dep_00000000000000000000000000')).status).toBe(404);
    expect((await h.call('POST', `/v1/projects/nope/promote/${live}`, { key: acme.deployer })).status).toBe(404);
    await nothingStarted();
  });

  it.each([
    ['an unknown field', { expectedSourceDeploymentId: 'dep_x' }, 'expectedSourceDeploymentId'],
    ['a reason that is not a string', { reason: ['x'] }, 'reason'],
  ])('rejects %s with 400 naming it', async (_what, body, field) => {
    const target = await seedDeployment(h.db.prisma, { projectId });
    const res = await promote(target.id, { body });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual([field]);
    await nothingStarted();
  });

  it('rejects malformed JSON with 400 invalid_json', async () => {
    const target = await seedDeployment(h.db.prisma, { projectId });
    const res = await promote(target.id, { rawBody: '{"reason":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
    await nothingStarted();
  });
});
