import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/projects (happy path)', () => {
  const { h, acme } = useApiHarness(['acme']);

  it('creates the project with production and preview environments, unpinned and not yet live', async () => {
    const res = await h.call('POST', '/v1/projects', { key: acme.admin, body: { slug: 'api', name: 'Public API' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      workspaceId: acme.workspaceId,
      slug: 'api',
      name: 'Public API',
      defaultBranch: 'main',
      liveDeploymentId: null,
      isRolledBack: false,
      rolledBackAt: null,
      rolledBackBy: null,
      rollbackReason: null,
      rolledBackFromDeploymentId: null,
    });
    expect(res.body.id).toMatch(/^prj_/);
    expect(res.body.environments.map((e: { slug: string; isProduction: boolean }) => [e.slug, e.isProduction])).toEqual([
      ['preview', false],
      ['production', true],
    ]);
    const envs = await h.db.prisma.environment.findMany({ where: { projectId: res.body.id }, orderBy: { slug: 'asc' } });
    expect(envs.map((e) => e.id)).toEqual(res.body.environments.map((e: { id: string }) => e.id));
  });

  it('lets a deployer create a project and keeps a given default branch', async () => {
    const res = await h.call('POST', '/v1/projects', { key: acme.deployer, body: { slug: 'web', name: 'Web', defaultBranch: 'release/2026' } });
    expect(res.status).toBe(201);
    expect(res.body.defaultBranch).toBe('release/2026');
  });

  it('allows the same project slug in two workspaces', async () => {
    const other = await h.workspace('globex');
    const res = await h.call('POST', '/v1/projects', { key: other.admin, body: { slug: 'api', name: 'Globex API' } });
    expect(res.status).toBe(201);
    expect(res.body.workspaceId).toBe(other.workspaceId);
  });

  it('trims the display name', async () => {
    const res = await h.call('POST', '/v1/projects', { key: acme.admin, body: { slug: 'docs', name: '  Docs site  ' } });
    expect(res.body.name).toBe('Docs site');
  });
});
