import { errorFields } from './support/api-harness';
import { createProject, seedOperation } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/operations/:id (bad input)', () => {
  const { h, acme } = useApiHarness(['acme']);
  let operationId: string;
  beforeAll(async () => {
    const { id } = await createProject(h, acme.admin, 'shop');
    operationId = (await seedOperation(h.db.prisma, { projectId: id, kind: 'undo', state: 'running' })).id;
  });

  it.each(['wait=31', 'wait=-1', 'wait=2.5', 'wait=abc', 'wait=1e9'])('rejects ?%s, naming wait', async (query) => {
    const res = await h.call('GET', `/v1/operations/${operationId}?${query}`, { key: acme.viewer });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['wait']);
    expect(res.body.error.message).toContain('0 to 30');
  });

  it('answers 404 for an operation that does not exist, even when asked to wait', async () => {
    const res = await h.call('GET', '/v1/operations/op_00000000000000000000000000?wait=5', { key: acme.viewer });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it.each(['%00', 'x'.repeat(300), "op_'%20OR%201=1--"])('answers a 4xx for the id %s', async (id) => {
    const res = await h.call('GET', `/v1/operations/${id}`, { key: acme.viewer });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});
