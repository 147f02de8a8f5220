// The API first: its schemas must be built after @hono/zod-openapi extended zod.
import { ApiHarness, CallResult, startApiHarness, WorkspaceKeys } from './support/api-harness';
import { createProject } from './support/deployments';
import { OpenApiValidator } from './support/openapi-validator';

/* eslint-disable @typescript-eslint/no-explicit-any */

/*
 * Every string a request carries — body (values and object keys), query, path, header — passes one text rule: no
 * NUL (PostgreSQL refuses it: it used to be a 500), no unpaired surrogate (it used to be stored as U+FFFD), and
 * for one-line fields no other control character. Breaking it is a 400 naming the field, and nothing is written.
 *
 * The table is generated from the published OpenAPI document, so a route or field added later is covered without
 * touching this file; only a valid base request per route is written here (and the test fails if one is missing).
 */

const DEP = 'dep_01h2xcejqtf2nbrexx3vqjhp41';
const OP = 'op_01h2xcejqtf2nbrexx3vqjhp41';
const KEY = 'key_01h2xcejqtf2nbrexx3vqjhp41';
const REL = 'rel_01h2xcejqtf2nbrexx3vqjhp41';

/** A request each route accepts as far as validation goes (later lookups may answer 404: that is after validation). */
const VALID: Record<string, { params?: Record<string, string>; body?: any; root?: boolean }> = {
  'POST /v1/workspaces': { root: true, body: { slug: 'globex', name: 'Globex' } },
  'POST /v1/projects': { body: { slug: 'blog', name: 'Blog', defaultBranch: 'main' } },
  'GET /v1/projects': {},
  'GET /v1/projects/{id}': { params: { id: 'shop' } },
  'GET /v1/projects/{id}/routes': { params: { id: 'shop' } },
  'GET /v1/projects/{id}/route-changes': { params: { id: 'shop' } },
  'POST /v1/projects/{id}/rollback/{deploymentId}': { params: { id: 'shop', deploymentId: DEP }, body: { expectedSourceDeploymentId: DEP, reason: 'why' } },
  'POST /v1/projects/{id}/promote/{deploymentId}': { params: { id: 'shop', deploymentId: DEP }, body: { reason: 'why' } },
  'POST /v1/projects/{id}/routes/undo': { params: { id: 'shop' }, body: { reason: 'why' } },
  'POST /v1/projects/{id}/release-policy': { params: { id: 'shop' }, body: { stages: [{ weight: 5, durationSeconds: 60 }, { weight: 100 }], advance: 'manual' } },
  'DELETE /v1/projects/{id}/release-policy': { params: { id: 'shop' } },
  'GET /v1/projects/{id}/releases/{releaseId}': { params: { id: 'shop', releaseId: REL } },
  'POST /v1/projects/{id}/releases/{releaseId}/advance': { params: { id: 'shop', releaseId: REL }, body: { reason: 'why' } },
  'POST /v1/projects/{id}/releases/{releaseId}/abort': { params: { id: 'shop', releaseId: REL }, body: { reason: 'why' } },
  'POST /v1/deployments': {
    body: {
      projectId: 'shop',
      environment: 'production',
      image: 'file:examples/hello-api',
      git: { branch: 'main', commitSha: 'abcdef1', message: 'a message', author: 'Zoë' },
      runtime: { replicas: 1, cpuMillicores: 250, memoryMib: 256, port: 8080, healthCheckPath: '/healthz', openapiPath: '/openapi.json', env: { VERSION: 'v1' } },
    },
  },
  'GET /v1/deployments': {},
  'GET /v1/deployments/{id}': { params: { id: DEP } },
  'GET /v1/deployments/{id}/openapi': { params: { id: DEP } },
  'GET /v1/deployments/{id}/events': { params: { id: DEP } },
  'POST /v1/deployments/{id}/events/token': { params: { id: DEP } },
  'POST /v1/deployments/{id}/cancel': { params: { id: DEP } },
  'GET /v1/operations/{id}': { params: { id: OP } },
  'GET /v1/workspaces/{id}': { params: { id: 'acme' } },
  'POST /v1/keys': { body: { name: 'github-actions-shop', role: 'deployer', expiresAt: '2030-01-31T00:00:00Z' } },
  'GET /v1/keys': {},
  'GET /v1/keys/{id}': { params: { id: KEY } },
  'DELETE /v1/keys/{id}': { params: { id: KEY } },
};

/** Routes that take no input at all. */
const NO_INPUT = new Set(['GET /healthz', 'GET /readyz', 'GET /metrics']);

type Kind = 'body' | 'body key' | 'query' | 'path' | 'header';

interface Case {
  route: string;
  kind: Kind;
  /** The field as the error names it: `runtime.healthCheckPath`, `environment`, `id`, `Idempotency-Key`. */
  field: string;
  what: string;
  /** Applies the bad value to a copy of the valid request. */
  apply: (request: { params: Record<string, string>; query: Record<string, string>; body: any; headers: Record<string, string> }) => void;
}

// What JSON can carry but text rules refuse; URLs and headers cannot carry a lone surrogate at all.
const BAD_TEXT: Array<[string, string]> = [
  ['NUL', 'a\u0000b'],
  ['a lone high surrogate', 'a\ud800b'],
  ['a lone low surrogate', '\udc00ab'],
];
const BAD_URL_TEXT: Array<[string, string]> = [
  ['NUL', 'a\u0000b'],
  ['a control character', 'a\u0001b'],
];
const BAD_HEADER_TEXT: Array<[string, string]> = [
  ['a control character', 'a\u0001b'],
  ['a non-ASCII character', 'caf\u00e9'],
];

/** The string-valued places of a JSON schema: [dotted path, how the value is reached]. */
function stringFields(validator: OpenApiValidator, schema: any, path: string[] = []): Array<{ path: string[]; key?: 'name' | 'value' }> {
  const s = validator.resolve(schema);
  if (!s) return [];
  if (s.type === 'object' || s.properties) {
    const out: Array<{ path: string[]; key?: 'name' | 'value' }> = [];
    for (const [name, child] of Object.entries<any>(s.properties ?? {})) out.push(...stringFields(validator, child, [...path, name]));
    if (s.propertyNames) out.push({ path, key: 'name' });
    if (s.additionalProperties && typeof s.additionalProperties === 'object') out.push({ path, key: 'value' });
    return out;
  }
  const types = Array.isArray(s.type) ? s.type : [s.type];
  return types.includes('string') || s.enum ? [{ path }] : [];
}

function setAt(body: any, path: string[], value: unknown): void {
  let node = body;
  for (const part of path.slice(0, -1)) node = node[part] ??= {};
  node[path[path.length - 1]] = value;
}

function getAt(body: any, path: string[]): any {
  return path.reduce((node, part) => node?.[part], body);
}

function casesFrom(validator: OpenApiValidator): Case[] {
  const cases: Case[] = [];
  for (const op of validator.operations()) {
    const route = `${op.method} ${op.path}`;
    for (const p of op.parameters) {
      const kind = p.in as Kind;
      const bad = kind === 'header' ? BAD_HEADER_TEXT : BAD_URL_TEXT;
      const field = kind === 'header' ? ({ 'last-event-id': 'Last-Event-ID' }[p.name] ?? 'Idempotency-Key') : p.name;
      for (const [what, value] of bad) {
        cases.push({
          route,
          kind,
          field,
          what,
          apply: (r) => {
            if (kind === 'path') r.params[p.name] = value;
            else if (kind === 'query') r.query[p.name] = value;
            else r.headers[p.name] = value;
          },
        });
      }
    }
    const bodyPointer = validator.requestBodyPointer(op.method, op.path);
    if (!bodyPointer) continue;
    for (const place of stringFields(validator, validator.resolve({ $ref: `#${bodyPointer}` }))) {
      for (const [what, value] of BAD_TEXT) {
        if (place.key === 'name') {
          // A bad object key, e.g. an env variable name.
          cases.push({
            route,
            kind: 'body key',
            field: [...place.path, value].join('.'),
            what,
            apply: (r) => setAt(r.body, [...place.path, value], 'x'),
          });
        } else if (place.key === 'value') {
          cases.push({
            route,
            kind: 'body',
            field: [...place.path, 'SOME_NAME'].join('.'),
            what,
            apply: (r) => setAt(r.body, [...place.path, 'SOME_NAME'], value),
          });
        } else {
          cases.push({ route, kind: 'body', field: place.path.join('.'), what, apply: (r) => setAt(r.body, place.path, value) });
        }
      }
    }
  }
  return cases;
}

describe('every string of a request is checked once, naming the field', () => {
  let h: ApiHarness;
  let acme: WorkspaceKeys;
  let validator: OpenApiValidator;
  let cases: Case[];

  beforeAll(async () => {
    // Thousands of requests with one key in seconds: the per-key rate limit (its own tests pin it) is off here.
    h = await startApiHarness({ env: { RATE_LIMIT_REQUESTS: '0' } });
    acme = await h.workspace('acme');
    await createProject(h, acme.admin, 'shop');
    validator = new OpenApiValidator((await h.call('GET', '/openapi.json')).body);
    cases = casesFrom(validator);
  });
  afterAll(async () => h?.close());

  const send = (route: string, request: { params: Record<string, string>; query: Record<string, string>; body: any; headers: Record<string, string> }): Promise<CallResult> => {
    const [method, template] = route.split(' ');
    const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(request.params[name]));
    const query = Object.keys(request.query).length ? `?${Object.entries(request.query).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}` : '';
    return h.call(method, path + query, { key: VALID[route]?.root ? h.rootKey : acme.admin, body: request.body, headers: request.headers });
  };

  const baseRequest = (route: string) => {
    const valid = VALID[route] ?? {};
    return {
      params: { ...valid.params } as Record<string, string>,
      query: {} as Record<string, string>,
      body: valid.body === undefined ? undefined : structuredClone(valid.body),
      headers: {} as Record<string, string>,
    };
  };

  const counts = async () =>
    Promise.all([h.db.prisma.workspace.count(), h.db.prisma.project.count(), h.db.prisma.deployment.count(), h.db.prisma.operation.count()]);

  it('has a valid base request for every route that takes input, and each passes validation', async () => {
    const routes = validator.operations().map((o) => `${o.method} ${o.path}`).filter((r) => !NO_INPUT.has(r));
    expect(routes.filter((r) => !(r in VALID))).toEqual([]);
    for (const route of routes) {
      const request = baseRequest(route);
      const res = await send(route, request);
      expect({ route, status: res.status, code: res.body?.error?.code }).not.toMatchObject({ code: 'validation_failed' });
      expect(res.status).toBeLessThan(500);
    }
  });

  it('covers every route and every field kind', () => {
    const kinds = new Set(cases.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(['body', 'body key', 'header', 'path', 'query']);
    const routesWithInput = validator.operations().map((o) => `${o.method} ${o.path}`).filter((r) => !NO_INPUT.has(r));
    expect(routesWithInput.filter((r) => !cases.some((c) => c.route === r))).toEqual([]);
    // The fields the issue names, at least.
    const fields = new Set(cases.map((c) => `${c.route} ${c.field}`));
    for (const f of [
      'GET /v1/deployments environment',
      'POST /v1/deployments runtime.healthCheckPath',
      'POST /v1/deployments runtime.openapiPath',
      'POST /v1/workspaces name',
      'POST /v1/projects name',
      'GET /v1/operations/{id} wait',
      'GET /v1/projects limit',
    ]) {
      expect(fields).toContain(f);
    }
  });

  it('refuses each bad value with a 400 naming the field, and writes nothing', async () => {
    const wrong: unknown[] = [];
    for (const c of cases) {
      const before = await counts();
      const request = baseRequest(c.route);
      c.apply(request);
      const res = await send(c.route, request);
      const issues: Array<{ location: string; field: string }> = res.body?.error?.details?.issues ?? [];
      const location = c.kind === 'body key' ? 'body' : c.kind;
      const named = issues.some((i) => i.location === location && i.field === c.field);
      const after = await counts();
      if (res.status !== 400 || !named || JSON.stringify(after) !== JSON.stringify(before)) {
        wrong.push({ route: c.route, kind: c.kind, field: c.field, what: c.what, status: res.status, error: res.body?.error, written: JSON.stringify(after) !== JSON.stringify(before) });
      }
    }
    expect(cases.length).toBeGreaterThan(100);
    expect(wrong).toEqual([]);
  });

  it('refuses exactly what the published document refuses, field by field (ajv against the API)', async () => {
    const samples = [
      'ok', 'acme', 'a-b', 'main', 'feature/login', 'abcdef1', 'ABCDEF1234', 'Shop 🚀', 'caf\u00e9', 'a\u00a0b', '  padded  ', '   ', '',
      'a\tb', 'a\nb', 'a\rb', 'a\u0085b', '/healthz', '/a%20b', '/a b', '//evil', '/é', 'file:examples/hello-api', 'file:a b', ' file:x ',
      'x'.repeat(63), 'x'.repeat(64), 'x'.repeat(200), 'x'.repeat(201), 'x'.repeat(255), 'x'.repeat(256), 'x'.repeat(1001),
      '🚀'.repeat(200), '🚀'.repeat(201), 'é'.repeat(512), 'é'.repeat(513),
    ];
    const disagree: unknown[] = [];
    for (const op of validator.operations()) {
      const route = `${op.method} ${op.path}`;
      const bodyPointer = validator.requestBodyPointer(op.method, op.path);
      const places: Array<{ kind: Kind; field: string; pointer: string; apply: (r: ReturnType<typeof baseRequest>, v: string) => void }> = [];
      for (const [i, p] of op.parameters.entries()) {
        if (p.in !== 'path' && p.in !== 'query') continue;
        if (validator.resolve(p.schema)?.type === 'integer') continue; // integers: see integer-query-parameters-…
        places.push({
          kind: p.in,
          field: p.name,
          pointer: `${op.pointer}/parameters/${i}/schema`,
          apply: (r, v) => (p.in === 'path' ? (r.params[p.name] = v) : (r.query[p.name] = v)),
        });
      }
      if (bodyPointer) {
        const walk = (pointer: string, path: string[]) => {
          const at = validator.schemaPointer(pointer);
          const schema = validator.resolve({ $ref: `#${at}` });
          for (const name of Object.keys(schema.properties ?? {})) walk(`${at}/properties/${name}`, [...path, name]);
          if (schema.additionalProperties && typeof schema.additionalProperties === 'object') walk(`${at}/additionalProperties`, [...path, 'SOME_NAME']);
          const types = Array.isArray(schema.type) ? schema.type : [schema.type];
          if (types.includes('string')) places.push({ kind: 'body', field: path.join('.'), pointer: at, apply: (r, v) => setAt(r.body, path, v) });
        };
        walk(bodyPointer, []);
      }
      for (const place of places) {
        // A few requests at a time: about 1,500 in all.
        const values = samples.filter((value) => !(place.kind === 'path' && value === '')); // an empty path segment is another route
        for (let i = 0; i < values.length; i += 4) {
          await Promise.all(
            values.slice(i, i + 4).map(async (value) => {
              const request = baseRequest(route);
              place.apply(request, value);
              const res = await send(route, request);
              const refusedByApi = (res.body?.error?.details?.issues ?? []).some((issue: { location: string; field: string }) => issue.location === place.kind && issue.field === place.field);
              const refusedByDocument = validator.errorsAt(place.pointer, value).length > 0;
              const shown = value.length > 40 ? `${value.slice(0, 8)}…×${value.length}` : value;
              if (res.status >= 500 || refusedByApi !== refusedByDocument) disagree.push({ route, field: place.field, value: shown, status: res.status, refusedByApi, refusedByDocument });
            }),
          );
        }
      }
    }
    expect(disagree).toEqual([]);
  }, 180_000);

  it('keeps emoji and other well-formed text outside the Basic Multilingual Plane', async () => {
    const res = await h.call('POST', '/v1/projects', { key: acme.admin, body: { slug: 'emoji', name: 'Shop 🚀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢' } });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('Shop 🚀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢');
    const stored = await h.db.prisma.project.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(stored.name).toBe('Shop 🚀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢');
    expect(getAt(res.body, ['name'])).not.toContain('\ufffd');
  });
});
