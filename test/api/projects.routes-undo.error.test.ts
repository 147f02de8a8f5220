import { ApiHarness, errorFields, startApiHarnessWithEngine } from './support/api-harness';
import { createProject } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/projects/:id/routes/undo (refused)', () => {
  const { h, acme } = useApiHarness(['acme'], { start: () => startApiHarnessWithEngine() });
  beforeAll(async () => {
    await createProject(h, acme.admin, 'fresh');
  });

  const undo = (options: Parameters<ApiHarness['call']>[2] = {}, query = '') => h.call('POST', `/v1/projects/fresh/routes/undo${query}`, { key: acme.deployer, ...options });

  it('with ?wait answers 409 nothing_to_undo for a project without route changes, carrying the operation', async () => {
    const res = await undo({}, '?wait=30');
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('nothing_to_undo');
    expect(res.body.error.details.operation).toMatchObject({ kind: 'undo', state: 'failed', error: { code: 'nothing_to_undo' } });
    expect(await h.db.prisma.routeChange.count()).toBe(0);
  });

  it('shows the same failure through GET /v1/operations/:id when not waiting', async () => {
    const res = await undo();
    expect(res.status).toBe(202);
    const op = (await h.call('GET', `/v1/operations/${res.body.operationId}?wait=30`, { key: acme.viewer })).body;
    expect(op).toMatchObject({ state: 'failed', error: { code: 'nothing_to_undo' } });
  });

  it('answers 404 for a project that does not exist', async () => {
    const res = await h.call('POST', '/v1/projects/nope/routes/undo', { key: acme.deployer });
    expect(res.status).toBe(404);
  });

  it.each([
    ['an unknown field', { sequence: 3 }, 'sequence'],
    ['an over-long reason', { reason: 'r'.repeat(1001) }, 'reason'],
    ['a reason that is not a string', { reason: false }, 'reason'],
  ])('rejects %s with 400 naming it, starting nothing', async (_what, body, field) => {
    const before = await h.db.prisma.operation.count();
    const res = await undo({ body });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual([field]);
    expect(await h.db.prisma.operation.count()).toBe(before);
  });

  it('rejects ?wait=forever, naming wait', async () => {
    const res = await undo({}, '?wait=forever');
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['wait']);
  });
});
