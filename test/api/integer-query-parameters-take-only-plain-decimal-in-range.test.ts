// The API first: its schemas must be built after @hono/zod-openapi extended zod.
import { ApiHarness, startApiHarness, WorkspaceKeys } from './support/api-harness';
import { createProject } from './support/deployments';
import { OpenApiValidator } from './support/openapi-validator';

/*
 * `wait`, `limit` and every other integer in a query string: plain decimal digits within the documented range, and
 * nothing else. Number() and zod's coerce used to take '0x1', '+5', '1e1', ' 5', and '' as 0. The table is built from
 * the OpenAPI document, so an integer parameter added later is covered too.
 */
const PARAMS: Record<string, string> = { id: 'shop', deploymentId: 'dep_01h2xcejqtf2nbrexx3vqjhp41' };
const OPERATION_ID = 'op_01h2xcejqtf2nbrexx3vqjhp41';

describe('integer query parameters', () => {
  let h: ApiHarness;
  let acme: WorkspaceKeys;
  let integers: Array<{ method: string; path: string; name: string; minimum: number; maximum: number }>;

  beforeAll(async () => {
    h = await startApiHarness();
    acme = await h.workspace('acme');
    await createProject(h, acme.admin, 'shop');
    const validator = new OpenApiValidator((await h.call('GET', '/openapi.json')).body);
    integers = validator.operations().flatMap((op) =>
      op.parameters
        .filter((p) => p.in === 'query' && validator.resolve(p.schema)?.type === 'integer')
        .map((p) => ({ method: op.method, path: op.path, name: p.name, minimum: p.schema.minimum, maximum: p.schema.maximum })),
    );
  });
  afterAll(async () => h?.close());

  const url = (path: string, query: string) =>
    path.replace(/\{(\w+)\}/g, (_m, name: string) => (path.startsWith('/v1/operations') ? OPERATION_ID : PARAMS[name])) + query;

  it('are documented as integers with their bounds: wait, limit and the route-change cursor', () => {
    const names = new Set(integers.map((p) => `${p.method} ${p.path} ${p.name}`));
    for (const expected of ['GET /v1/operations/{id} wait', 'GET /v1/projects limit', 'GET /v1/deployments limit', 'POST /v1/projects/{id}/rollback/{deploymentId} wait', 'GET /v1/projects/{id}/route-changes cursor']) {
      expect(names).toContain(expected);
    }
    for (const p of integers) expect([typeof p.minimum, typeof p.maximum]).toEqual(['number', 'number']);
  });

  it('refuse anything but plain decimal digits in range with a 400 naming the parameter', async () => {
    const wrong: unknown[] = [];
    for (const p of integers) {
      const bad = ['0x1', '+5', '-1', '1e1', ' 5', '5 ', '', '1.0', '1_0', '٣', 'Infinity', String(p.maximum + 1), '99999999999999999999'];
      if (p.minimum > 0) bad.push(String(p.minimum - 1));
      const queries = [...bad.map((v) => `?${p.name}=${encodeURIComponent(v)}`), `?${p.name}=1&${p.name}=2`, `?${p.name}`];
      for (const query of queries) {
        const res = await h.call(p.method, url(p.path, query), { key: acme.admin });
        const named = (res.body?.error?.details?.issues ?? []).some((i: { location: string; field: string }) => i.location === 'query' && i.field === p.name);
        if (res.status !== 400 || !named) wrong.push({ route: `${p.method} ${p.path}`, query, status: res.status, error: res.body?.error });
      }
    }
    expect(wrong).toEqual([]);
    expect(await h.db.prisma.operation.count()).toBe(0);
  });

  it('take plain decimal digits in range, leading zeros included', async () => {
    // GET routes only: a valid wait on a POST would start an operation and wait for it.
    for (const p of integers.filter((i) => i.method === 'GET')) {
      for (const value of [String(p.minimum), String(p.maximum), `0${p.minimum}`]) {
        const res = await h.call('GET', url(p.path, `?${p.name}=${value}`), { key: acme.admin });
        expect({ route: p.path, value, code: res.body?.error?.code }).not.toMatchObject({ code: 'validation_failed' });
        expect(res.status).toBeLessThan(500);
      }
    }
  });
});
