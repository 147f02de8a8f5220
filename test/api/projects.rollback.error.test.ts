import type { EngineHarness } from '../support/engine-harness';
import { startProjectWithTwoDeploys } from './support/two-deploys';
import { ApiHarness, errorFields, WorkspaceKeys } from './support/api-harness';
import { createProject, seedDeployment } from './support/deployments';

describe('POST /v1/projects/:id/rollback/:deploymentId (refused)', () => {
  let h: ApiHarness & { engine: EngineHarness };
  let acme: WorkspaceKeys;
  let projectId: string;
  let v1: string;
  let v2: string;
  beforeAll(async () => {
    ({ h, acme, projectId, v1, v2 } = await startProjectWithTwoDeploys());
  });
  afterAll(async () => h.close());

  const rollback = (target: string, options: Parameters<ApiHarness['call']>[2] = {}, query = '') =>
    h.call('POST', `/v1/projects/shop/rollback/${target}${query}`, { key: acme.deployer, ...options });
  const rollbacks = () => h.db.prisma.operation.count({ where: { kind: 'rollback' } });
  const unchanged = async () => {
    expect(await rollbacks()).toBe(0);
    expect(await h.db.prisma.project.findUniqueOrThrow({ where: { id: projectId } })).toMatchObject({ liveDeploymentId: v2, isRolledBack: false });
  };

  it('answers 409 stale_source when the expected source is not the live deployment', async () => {
    const res = await rollback(v1, { body: { expectedSourceDeploymentId: v1 } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('stale_source');
    expect(res.body.error.message).toContain(v2);
    await unchanged();
  });

  it('answers 409 already_live for the live deployment', async () => {
    const res = await rollback(v2);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('already_live');
    await unchanged();
  });

  it('answers 422 not_production for a preview deployment', async () => {
    const preview = await seedDeployment(h.db.prisma, { projectId, environment: 'preview', status: 'ready' });
    const res = await rollback(preview.id);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('not_production');
    await unchanged();
  });

  it.each(['failed', 'pending', 'cancelled'] as const)('answers 422 deployment_not_ready for a %s deployment', async (status) => {
    const target = await seedDeployment(h.db.prisma, { projectId, status });
    const res = await rollback(target.id);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('deployment_not_ready');
    expect(res.body.error.message).toContain(status);
    await unchanged();
  });

  it("answers 404 for a deployment that does not exist or belongs to another project of the workspace", async () => {
    const blog = await createProject(h, acme.admin, 'blog');
    const blogDeployment = await seedDeployment(h.db.prisma, { projectId: blog.id, status: 'ready' });
    for (const target of ['dep_00000000000000000000000000', blogDeployment.id]) {
      const res = await rollback(target);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await h.call('POST', `/v1/projects/nope/rollback/${v1}`, { key: acme.deployer })).status).toBe(404);
    await unchanged();
  });

  it.each([
    ['an unknown field', { force: true }, 'force'],
    ['a reason that is not a string', { reason: 42 }, 'reason'],
    ['an over-long reason', { reason: 'r'.repeat(1001) }, 'reason'],
    ['an empty expected source', { expectedSourceDeploymentId: '' }, 'expectedSourceDeploymentId'],
  ])('rejects %s with 400 naming it', async (_what, body, field) => {
    const res = await rollback(v1, { body });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual([field]);
    await unchanged();
  });

  it('rejects a wait over 30 seconds, naming wait', async () => {
    const res = await rollback(v1, {}, '?wait=31');
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['wait']);
    await unchanged();
  });

  it('with ?wait answers 422 no_running_instances when the target lost its instances, and moves nothing', async () => {
    await h.engine.krane.client.delete('acme', v1);
    const res = await rollback(v1, { body: { reason: 'v2 is broken' } }, '?wait=30');
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('no_running_instances');
    expect(res.body.error.message).toContain('check-instances');
    expect(res.body.error.details.operation).toMatchObject({ kind: 'rollback', state: 'failed', error: { code: 'no_running_instances' } });
    const steps = res.body.error.details.operation.steps.map((s: { name: string; status: string }) => [s.name, s.status]);
    expect(steps).toEqual([
      ['validate', 'succeeded'],
      ['check-instances', 'failed'],
      ['switch-routes', 'skipped'],
    ]);
    expect(await h.db.prisma.project.findUniqueOrThrow({ where: { id: projectId } })).toMatchObject({ liveDeploymentId: v2, isRolledBack: false });
  });
});
