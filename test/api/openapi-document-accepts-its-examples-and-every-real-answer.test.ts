// The API first: its schemas must be built after @hono/zod-openapi extended zod.
import { ApiHarness, CallResult, startApiHarnessWithEngine } from './support/api-harness';
import { EngineHarness, HELLO_API } from '../support/engine-harness';
import { OpenApiDocument, OpenApiValidator, patternsOf } from './support/openapi-validator';

/*
 * A client that validates against the published document must accept what the API really sends and be able to send
 * what the API accepts. Checked with ajv (JSON Schema 2020-12, OpenAPI 3.1's dialect): every pattern is a valid
 * ECMA-262 regular expression with and without the `u` flag, every example matches its schema, and a whole happy
 * scenario (workspace, project, deployments, rollback, promote, undo, routes, operations) is walked with every request
 * parameter and every answer checked against the document.
 */
describe('the published OpenAPI document', () => {
  let h: ApiHarness & { engine: EngineHarness };
  let doc: OpenApiDocument;
  beforeAll(async () => {
    h = await startApiHarnessWithEngine();
    const res = await h.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(async () => h?.close());

  it('has only patterns that are valid regular expressions, with or without the u flag', () => {
    const patterns = patternsOf(doc);
    expect(patterns.length).toBeGreaterThan(10);
    const compiles = (pattern: string, flags: string) => {
      try {
        new RegExp(pattern, flags);
        return true;
      } catch {
        return false;
      }
    };
    const broken = patterns.filter(
      // A regex literal's flags leaking into the source (`…$/u`) make a pattern that matches nothing.
      ([, pattern]) => !compiles(pattern, 'u') || !compiles(pattern, '') || /\/[dgimsuvy]+$/.test(pattern),
    );
    expect(broken).toEqual([]);
  });

  it.each([true, false])('accepts every example it gives (ajv, unicodeRegExp: %s)', (unicodeRegExp) => {
    const validator = new OpenApiValidator(doc, { unicodeRegExp });
    const examples = validator.examples();
    expect(examples.length).toBeGreaterThan(20);
    const failures = examples
      .map(([where, pointer, example]) => ({ where, example, errors: validator.errorsAt(pointer, example) }))
      .filter((f) => f.errors.length > 0);
    expect(failures).toEqual([]);
  });

  it.each([true, false])('says the same about text as the API: NUL, controls and lone surrogates out, emoji in (unicodeRegExp: %s)', (unicodeRegExp) => {
    const validator = new OpenApiValidator(doc, { unicodeRegExp });
    const name = `${validator.schemaPointer(validator.requestBodyPointer('POST', '/v1/projects')!)}/properties/name`;
    expect(validator.errorsAt(name, 'Shop 🚀 Café')).toEqual([]);
    for (const bad of ['a\u0000b', 'a\u0007b', 'a\nb', 'a\ud800b', 'a\udc00b']) expect(validator.errorsAt(name, bad)).not.toEqual([]);
    const id = validator.parameterPointer('GET', '/v1/projects/{id}', 'path', 'id');
    expect(validator.errorsAt(id, 'prj_01h2xcejqtf2nbrexx3vqjhp41')).toEqual([]);
    expect(validator.errorsAt(id, 'x\u0000')).not.toEqual([]);
  });

  it('accepts every id and answer of a whole happy scenario, and every parameter the scenario sends', async () => {
    const validator = new OpenApiValidator(doc);
    const exercised = new Set<string>();

    /** Calls a documented route: path and query values checked as a client would, then the answer against its status's schema. */
    const call = async (
      method: string,
      template: string,
      options: { params?: Record<string, string>; query?: Record<string, string>; key?: string; body?: unknown } = {},
    ): Promise<CallResult> => {
      for (const [name, value] of Object.entries(options.params ?? {})) {
        expect({ method, template, name, value, errors: validator.errorsAt(validator.parameterPointer(method, template, 'path', name), value) }).toEqual({ method, template, name, value, errors: [] });
      }
      for (const [name, value] of Object.entries(options.query ?? {})) {
        const schema = validator.resolve(validator.operation(method, template).parameters.find((p) => p.in === 'query' && p.name === name)?.schema);
        // Query values travel as text; an integer parameter is checked as the number it denotes.
        const typed = schema?.type === 'integer' ? Number(value) : value;
        expect({ method, template, name, value, errors: validator.errorsAt(validator.parameterPointer(method, template, 'query', name), typed) }).toEqual({ method, template, name, value, errors: [] });
      }
      if (options.body !== undefined) {
        const bodyPointer = validator.requestBodyPointer(method, template);
        expect({ method, template, documented: Boolean(bodyPointer) }).toEqual({ method, template, documented: true });
        expect({ method, template, errors: validator.errorsAt(bodyPointer!, options.body) }).toEqual({ method, template, errors: [] });
      }
      const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(options.params![name]));
      const search = options.query ? `?${new URLSearchParams(options.query)}` : '';
      const res = await h.call(method, path + search, { key: options.key, body: options.body });
      const documented = validator.operation(method, template).operation.responses?.[String(res.status)];
      expect({ method, template, status: res.status, documented: Boolean(documented), body: res.body }).toEqual({ method, template, status: res.status, documented: true, body: res.body });
      const pointer = validator.responsePointer(method, template, res.status);
      if (pointer) expect({ method, template, status: res.status, errors: validator.errorsAt(pointer, res.body) }).toEqual({ method, template, status: res.status, errors: [] });
      exercised.add(`${method} ${template}`);
      return res;
    };

    const workspace = await call('POST', '/v1/workspaces', { key: h.rootKey, body: { slug: 'acme', name: 'Acme Inc.' } });
    expect(workspace.status).toBe(201);
    const key: string = workspace.body.apiKey.key;
    await call('GET', '/v1/workspaces/{id}', { key, params: { id: 'acme' } });

    const project = await call('POST', '/v1/projects', { key, body: { slug: 'shop', name: 'Shop 🚀', defaultBranch: 'main' } });
    expect(project.status).toBe(201);
    const projectId: string = project.body.id;
    await call('GET', '/v1/projects', { key, query: { limit: '10' } });
    await call('GET', '/v1/projects/{id}', { key, params: { id: projectId } });
    await call('GET', '/v1/projects/{id}', { key, params: { id: 'shop' } });

    const deploy = async (version: string) => {
      const accepted = await call('POST', '/v1/deployments', {
        key,
        body: { projectId: 'shop', image: HELLO_API, git: { branch: 'main', commitSha: 'abcdef1', message: `release ${version}\n\ndetails`, author: 'Zoë' }, runtime: { env: { VERSION: version } } },
      });
      expect(accepted.status).toBe(202);
      for (;;) {
        const op = await call('GET', '/v1/operations/{id}', { key, params: { id: accepted.body.operationId }, query: { wait: '10' } });
        expect(op.status).toBe(200);
        if (!['queued', 'running'].includes(op.body.state)) {
          expect(op.body.state).toBe('succeeded');
          break;
        }
      }
      return accepted.body.deploymentId as string;
    };
    const v1 = await deploy('v1');
    const v2 = await deploy('v2');

    await call('GET', '/v1/deployments/{id}', { key, params: { id: v1 } });
    await call('GET', '/v1/deployments', { key, query: { projectId: 'shop', environment: 'production', status: 'ready', limit: '1' } });
    const page = await call('GET', '/v1/deployments', { key, query: { limit: '1' } });
    await call('GET', '/v1/deployments', { key, query: { limit: '1', cursor: page.body.nextCursor } });
    await call('GET', '/v1/deployments/{id}/openapi', { key, params: { id: v2 } });
    const events = await call('GET', '/v1/deployments/{id}/events', { key, params: { id: v2 } });
    expect(events.status).toBe(200);
    const token = await call('POST', '/v1/deployments/{id}/events/token', { key, params: { id: v2 } });
    expect(token.status).toBe(200);
    const lastEventId = events.text.match(/^id: (\d+)$/gm)!.at(-2)!.slice(4);
    const resumed = await call('GET', '/v1/deployments/{id}/events', { params: { id: v2 }, query: { token: token.body.token, lastEventId } });
    expect(resumed.status).toBe(200);
    // A finished deploy cannot be cancelled: the 409 is in the one error shape.
    expect((await call('POST', '/v1/deployments/{id}/cancel', { key, params: { id: v2 } })).status).toBe(409);

    const rollback = await call('POST', '/v1/projects/{id}/rollback/{deploymentId}', {
      key,
      params: { id: 'shop', deploymentId: v1 },
      query: { wait: '30' },
      body: { expectedSourceDeploymentId: v2, reason: 'v2 breaks checkout' },
    });
    expect(rollback.status).toBe(200);
    const promote = await call('POST', '/v1/projects/{id}/promote/{deploymentId}', { key, params: { id: projectId, deploymentId: v2 }, query: { wait: '30' }, body: { reason: 'fixed' } });
    expect(promote.status).toBe(200);
    const undo = await call('POST', '/v1/projects/{id}/routes/undo', { key, params: { id: 'shop' }, query: { wait: '30' }, body: { reason: 'not yet' } });
    expect(undo.status).toBe(200);
    const accepted = await call('POST', '/v1/projects/{id}/promote/{deploymentId}', { key, params: { id: 'shop', deploymentId: v2 }, body: {} });
    expect(accepted.status).toBe(202);
    await call('GET', '/v1/operations/{id}', { key, params: { id: accepted.body.operationId }, query: { wait: '30' } });

    // Rolling releases: a manual policy; a deploy that ends at its first stage, read, advanced to completion; another aborted.
    const policy = await call('POST', '/v1/projects/{id}/release-policy', { key, params: { id: 'shop' }, body: { stages: [{ weight: 10, durationSeconds: 60 }, { weight: 100 }], advance: 'manual' } });
    expect(policy.status).toBe(200);
    const release = async (version: string) => {
      const started = await call('POST', '/v1/deployments', { key, body: { projectId: 'shop', image: HELLO_API, runtime: { env: { VERSION: version } } } });
      const op = await call('GET', '/v1/operations/{id}', { key, params: { id: started.body.operationId }, query: { wait: '30' } });
      expect(op.body.result.releaseId).toMatch(/^rel_/);
      return op.body.result.releaseId as string;
    };
    const r3 = await release('v3');
    expect((await call('GET', '/v1/projects/{id}/releases/{releaseId}', { key, params: { id: 'shop', releaseId: r3 } })).body.state).toBe('running');
    expect((await call('POST', '/v1/projects/{id}/releases/{releaseId}/advance', { key, params: { id: 'shop', releaseId: r3 }, query: { wait: '30' }, body: { reason: 'looks good' } })).status).toBe(200);
    expect((await call('GET', '/v1/projects/{id}/releases/{releaseId}', { key, params: { id: 'shop', releaseId: r3 } })).body.state).toBe('completed');
    const r4 = await release('v4');
    expect((await call('POST', '/v1/projects/{id}/releases/{releaseId}/abort', { key, params: { id: 'shop', releaseId: r4 }, query: { wait: '30' }, body: {} })).status).toBe(200);
    expect((await call('GET', '/v1/projects/{id}/releases/{releaseId}', { key, params: { id: 'shop', releaseId: r4 } })).body.state).toBe('aborted');
    expect((await call('DELETE', '/v1/projects/{id}/release-policy', { key, params: { id: 'shop' } })).status).toBe(200);

    await call('GET', '/v1/projects/{id}/routes', { key, params: { id: 'shop' } });
    const changes = await call('GET', '/v1/projects/{id}/route-changes', { key, params: { id: 'shop' }, query: { limit: '2' } });
    expect(changes.body.nextCursor).not.toBeNull();
    await call('GET', '/v1/projects/{id}/route-changes', { key, params: { id: 'shop' }, query: { limit: '2', cursor: changes.body.nextCursor } });

    const ciKey = await call('POST', '/v1/keys', { key, body: { name: 'github-actions-shop', role: 'deployer', expiresAt: '2099-01-31T00:00:00Z' } });
    expect(ciKey.status).toBe(201);
    await call('GET', '/v1/keys', { key, query: { limit: '10' } });
    await call('GET', '/v1/keys/{id}', { key, params: { id: ciKey.body.id } });
    expect((await call('DELETE', '/v1/keys/{id}', { key, params: { id: ciKey.body.id } })).status).toBe(200);
    const firstAdmin = workspace.body.apiKey.id as string;
    expect((await call('DELETE', '/v1/keys/{id}', { key, params: { id: firstAdmin } })).status).toBe(409);

    // Answers that are errors are documented too, in the one error shape.
    expect((await call('GET', '/v1/projects/{id}', { key, params: { id: 'no-such-project' } })).status).toBe(404);
    expect((await call('POST', '/v1/projects', { key, body: { slug: 'shop', name: 'again' } })).status).toBe(409);
    expect((await call('GET', '/v1/operations/{id}', { key: 'df_not_a_key', params: { id: accepted.body.operationId } })).status).toBe(401);
    await call('GET', '/healthz');
    await call('GET', '/readyz');

    // Every id the API handed out is accepted where the document takes it back.
    const ids = JSON.stringify([workspace.body, project.body, rollback.body, promote.body, undo.body, ciKey.body]).match(/"(?:ws|prj|env|dep|op|key)_[0-9a-z]{26}"/g)!;
    expect(ids.length).toBeGreaterThan(10);
    const takesBack: Record<string, [string, string, string]> = {
      dep: ['GET', '/v1/deployments/{id}', 'id'],
      op: ['GET', '/v1/operations/{id}', 'id'],
      prj: ['GET', '/v1/projects/{id}', 'id'],
      key: ['GET', '/v1/keys/{id}', 'id'],
    };
    for (const quoted of ids) {
      const id = JSON.parse(quoted) as string;
      const where = takesBack[id.split('_')[0]];
      if (where) expect({ id, errors: validator.errorsAt(validator.parameterPointer(where[0], where[1], 'path', where[2]), id) }).toEqual({ id, errors: [] });
    }

    const documented = validator.operations().map((o) => `${o.method} ${o.path}`);
    expect(documented.filter((route) => !exercised.has(route) && route !== 'GET /metrics')).toEqual([]);
  });
});
