import { ApiHarness } from './support/api-harness';
import { createProject, seedDeployment } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

/** Values PostgreSQL cannot store, and env names that would run code on the host: each a 400 naming the field, never a 500. */
describe('text fields and env names', () => {
  const { h, acme } = useApiHarness(['acme']);
  let projectId: string;
  beforeAll(async () => {
    projectId = (await createProject(h, acme.admin, 'shop')).id;
  });

  const deploy = (extra: Record<string, unknown>) => h.call('POST', '/v1/deployments', { key: acme.deployer, body: { projectId: 'shop', image: 'file:examples/hello-api', ...extra } });
  const fieldsOf = (res: Awaited<ReturnType<ApiHarness['call']>>) => JSON.stringify(res.body.error);

  it.each([
    ['git.branch', { git: { branch: 'main\u0000x' } }],
    ['git.message', { git: { message: 'fix \ud800 bug' } }],
    ['git.author', { git: { author: 'eve\u0007' } }],
    ['runtime.env.GREETING', { runtime: { env: { GREETING: 'hi\u0000' } } }],
    ['projectId', { projectId: 'sh\udc00op' }],
    ['environment', { environment: 'prod\u0000' }],
    ['image', { image: 'file:examples/\ud83d' }],
  ])('POST /v1/deployments with a bad %s is a 400 naming it, and creates nothing', async (field, extra) => {
    const res = await deploy(extra);
    expect(res.status).toBe(400);
    expect(fieldsOf(res)).toContain(field);
    expect(await h.db.prisma.deployment.count()).toBe(0);
  });

  it.each(['NODE_OPTIONS', 'LD_PRELOAD', 'PATH', 'BASH_ENV', 'PORT', 'DEPLOYMENT_ID', 'npm_config_script_shell'])('refuses the env variable %s', async (name) => {
    const res = await deploy({ runtime: { env: { [name]: '--import=data:text/javascript,process.exit(9)' } } });
    expect(res.status).toBe(400);
    expect(fieldsOf(res)).toContain(`runtime.env.${name}`);
    expect(fieldsOf(res)).toMatch(/may not be set/);
  });

  it('keeps multi-line messages and env values with tabs and newlines', async () => {
    const res = await deploy({ git: { message: 'line one\n\tline two' }, runtime: { env: { CERT: '-----BEGIN-----\nabc\n-----END-----' } } });
    expect(res.status).toBe(202);
  });

  it('rollback and undo reasons with NUL or a lone surrogate are a 400, not a 500', async () => {
    const target = await seedDeployment(h.db.prisma, { projectId, status: 'ready' });
    const rollback = await h.call('POST', `/v1/projects/shop/rollback/${target.id}`, { key: acme.deployer, body: { reason: 'bad\u0000' } });
    expect(rollback.status).toBe(400);
    expect(fieldsOf(rollback)).toContain('reason');
    const stale = await h.call('POST', `/v1/projects/shop/rollback/${target.id}`, { key: acme.deployer, body: { expectedSourceDeploymentId: 'dep_\ud800' } });
    expect(stale.status).toBe(400);
    const undo = await h.call('POST', '/v1/projects/shop/routes/undo', { key: acme.deployer, body: { reason: '\udfff' } });
    expect(undo.status).toBe(400);
    expect(fieldsOf(undo)).toContain('reason');
  });
});
