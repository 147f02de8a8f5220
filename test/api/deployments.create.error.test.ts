import { ApiHarness, errorFields } from './support/api-harness';
import { createProject } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/deployments (bad input)', () => {
  const { h, acme } = useApiHarness(['acme']);
  beforeAll(async () => {
    await createProject(h, acme.admin, 'shop');
  });

  const image = 'file:examples/hello-api';
  const post = (options: Parameters<ApiHarness['call']>[2]) => h.call('POST', '/v1/deployments', { key: acme.deployer, ...options });
  const nothingCreated = async () => {
    expect(await h.db.prisma.deployment.count()).toBe(0);
    expect(await h.db.prisma.operation.count()).toBe(0);
  };

  it('names every missing required field', async () => {
    const res = await post({ body: {} });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(errorFields(res).sort()).toEqual(['image', 'projectId']);
    await nothingCreated();
  });

  it('rejects malformed JSON with 400 invalid_json', async () => {
    const res = await post({ rawBody: '{"projectId": "shop",', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
    await nothingCreated();
  });

  it.each([
    ['an unknown top-level field', { projectId: 'shop', image, workspaceId: 'ws_x' }, 'workspaceId'],
    ['an unknown runtime field', { projectId: 'shop', image, runtime: { privileged: true } }, 'runtime.privileged'],
    ['an unknown git field', { projectId: 'shop', image, git: { tag: 'v1' } }, 'git.tag'],
    ['an image with whitespace', { projectId: 'shop', image: 'file:a b' }, 'image'],
    ['an image with a shell metacharacter', { projectId: 'shop', image: 'nginx;rm -rf /' }, 'image'],
    ['zero replicas', { projectId: 'shop', image, runtime: { replicas: 0 } }, 'runtime.replicas'],
    ['21 replicas', { projectId: 'shop', image, runtime: { replicas: 21 } }, 'runtime.replicas'],
    ['a fractional port', { projectId: 'shop', image, runtime: { port: 80.5 } }, 'runtime.port'],
    ['a health check URL instead of a path', { projectId: 'shop', image, runtime: { healthCheckPath: 'http://169.254.169.254/' } }, 'runtime.healthCheckPath'],
    ['a protocol-relative OpenAPI path', { projectId: 'shop', image, runtime: { openapiPath: '//evil.example/spec' } }, 'runtime.openapiPath'],
    ['a bad commit sha', { projectId: 'shop', image, git: { commitSha: 'not-hex' } }, 'git.commitSha'],
    ['an env var value that is not a string', { projectId: 'shop', image, runtime: { env: { VERSION: 1 } } }, 'runtime.env.VERSION'],
    ['a string where an object belongs', { projectId: 'shop', image, runtime: 'fast' }, 'runtime'],
  ])('rejects %s, naming the field', async (_what, body, field) => {
    const res = await post({ body });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toContain(field);
    expect(res.body.error.message).toContain(field);
    await nothingCreated();
  });

  it('rejects an env var name that is not a variable name', async () => {
    const res = await post({ body: { projectId: 'shop', image, runtime: { env: { 'BAD-NAME': 'x' } } } });
    expect(res.status).toBe(400);
    expect(errorFields(res).some((f) => f.startsWith('runtime.env'))).toBe(true);
    await nothingCreated();
  });

  // JSON keeps "__proto__" as an ordinary key; a record's parse would leave it out, and the variable vanish unreported.
  it.each([
    ['an object', '{"LD_PRELOAD":"/tmp/x.so"}'],
    ['a string', '"x"'],
  ])('refuses an env var named __proto__ (its value %s) instead of dropping it', async (_, value) => {
    const res = await post({
      rawBody: `{"projectId":"shop","image":"${image}","runtime":{"env":{"__proto__":${value},"VERSION":"2"}}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(errorFields(res)).toContain('runtime.env.__proto__');
    expect(res.body.error.message).toContain('"__proto__" is not a valid name');
    await nothingCreated();
  });

  it('answers 404 for a project that does not exist', async () => {
    const res = await post({ body: { projectId: 'nope', image } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect(res.body.error.message).toContain('nope');
    await nothingCreated();
  });

  it('answers 404 for an environment the project does not have', async () => {
    const res = await post({ body: { projectId: 'shop', environment: 'staging', image } });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('staging');
    await nothingCreated();
  });

  it('answers 422 when an Idempotency-Key is reused for a different deploy', async () => {
    const headers = { 'idempotency-key': 'reused-key' };
    expect((await post({ body: { projectId: 'shop', image }, headers })).status).toBe(202);
    const res = await post({ body: { projectId: 'shop', image, runtime: { replicas: 2 } }, headers });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('idempotency_key_reused');
    expect(await h.db.prisma.deployment.count()).toBe(1);
  });
});
