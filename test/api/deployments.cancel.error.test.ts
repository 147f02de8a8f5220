import { errorFields } from './support/api-harness';
import { createProject, seedDeployment } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/deployments/:id/cancel (refused)', () => {
  const { h, acme } = useApiHarness(['acme']);
  let projectId: string;
  beforeAll(async () => {
    projectId = (await createProject(h, acme.admin, 'shop')).id;
  });

  const cancel = (id: string, query = '') => h.call('POST', `/v1/deployments/${id}/cancel${query}`, { key: acme.deployer });

  it.each(['ready', 'failed', 'cancelled', 'superseded'] as const)('answers 409 deployment_finished for a %s deployment and changes nothing', async (status) => {
    const d = await seedDeployment(h.db.prisma, { projectId, status });
    const res = await cancel(d.id);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('deployment_finished');
    expect(res.body.error.message).toContain(status);
    expect((await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: d.id } })).cancelRequestedAt).toBeNull();
  });

  it('answers 409 too_late_to_cancel once assign-routes started', async () => {
    const d = await seedDeployment(h.db.prisma, { projectId, status: 'network' });
    await h.db.prisma.deployment.update({ where: { id: d.id }, data: { routingStartedAt: new Date() } });
    const res = await cancel(d.id);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('too_late_to_cancel');
    expect(res.body.error.message).toMatch(/roll back|promote/);
    expect((await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: d.id } })).cancelRequestedAt).toBeNull();
  });

  it('answers 404 for a deployment that does not exist', async () => {
    const res = await cancel('dep_00000000000000000000000000');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it.each(['wait=31', 'wait=-1', 'wait=1.5', 'wait=soon'])('rejects ?%s, naming wait, before cancelling anything', async (query) => {
    const d = await seedDeployment(h.db.prisma, { projectId, status: 'deploying' });
    const res = await cancel(d.id, `?${query}`);
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['wait']);
    expect((await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: d.id } })).cancelRequestedAt).toBeNull();
  });
});
