import { useApiHarness } from './support/use-api-harness';

describe('bull-board at /admin/queues (unknown things)', () => {
  const { h } = useApiHarness([]);

  const get = (path: string) => h.call('GET', path, { headers: { authorization: `Bearer ${h.rootKey}` } });

  it('answers 404 for a queue that is not registered', async () => {
    const res = await get('/admin/queues/api/queues/payments/workers');
    expect(res.status).toBe(404);
  });

  it('answers 404 for a job that does not exist', async () => {
    const res = await get('/admin/queues/api/queues/operations/op_00000000000000000000000000');
    expect(res.status).toBe(404);
  });

  it('answers 404 for a path the board does not serve, and for static paths outside its assets', async () => {
    expect((await get('/admin/queues/nothing-here')).status).toBe(404);
    const traversal = await get('/admin/queues/static/..%2F..%2F..%2Fpackage.json');
    expect(traversal.status).toBe(404);
    expect(traversal.text).not.toContain('"dependencies"');
  });
});
