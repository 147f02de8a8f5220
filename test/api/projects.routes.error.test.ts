import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/projects/:id/routes (bad input)', () => {
  const { h, acme } = useApiHarness(['acme']);

  it('answers 404 for a project that does not exist, by slug or id', async () => {
    for (const id of ['nope', 'prj_00000000000000000000000000']) {
      const res = await h.call('GET', `/v1/projects/${id}/routes`, { key: acme.viewer });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });

  it.each(['%00', 'x'.repeat(300), "'%20OR%201=1--", '%E0%A4%A'])('answers a 4xx for the project id %s', async (id) => {
    const res = await h.call('GET', `/v1/projects/${id}/routes`, { key: acme.viewer });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});
