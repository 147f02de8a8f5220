import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/projects/:id (happy path)', () => {
  const { h, acme } = useApiHarness(['acme']);
  let created: { id: string; slug: string };
  beforeAll(async () => {
    created = (await h.call('POST', '/v1/projects', { key: acme.admin, body: { slug: 'api', name: 'API' } })).body;
  });

  it('finds the project by id and by slug, with the same answer', async () => {
    const byId = await h.call('GET', `/v1/projects/${created.id}`, { key: acme.viewer });
    const bySlug = await h.call('GET', '/v1/projects/api', { key: acme.viewer });
    expect(byId.status).toBe(200);
    expect(bySlug.status).toBe(200);
    expect(byId.body).toEqual(created);
    expect(bySlug.body).toEqual(created);
  });

  it('shows the live deployment and the rollback pin as stored', async () => {
    const pinnedAt = new Date('2026-02-03T04:05:06.789Z');
    await h.db.prisma.project.update({
      where: { id: created.id },
      data: {
        liveDeploymentId: 'dep_0000000000aaaaaaaaaaaaaaaa',
        isRolledBack: true,
        rolledBackAt: pinnedAt,
        rolledBackBy: 'key_0000000000bbbbbbbbbbbbbbbb',
        rollbackReason: 'bad release',
        rolledBackFromDeploymentId: 'dep_0000000000cccccccccccccccc',
      },
    });
    const res = await h.call('GET', '/v1/projects/api', { key: acme.deployer });
    expect(res.body).toMatchObject({
      liveDeploymentId: 'dep_0000000000aaaaaaaaaaaaaaaa',
      isRolledBack: true,
      rolledBackAt: '2026-02-03T04:05:06.789Z',
      rolledBackBy: 'key_0000000000bbbbbbbbbbbbbbbb',
      rollbackReason: 'bad release',
      rolledBackFromDeploymentId: 'dep_0000000000cccccccccccccccc',
    });
    const production = res.body.environments.find((e: { slug: string }) => e.slug === 'production');
    expect(production.isProduction).toBe(true);
  });

  it('resolves a slug that looks like an id only as a slug', async () => {
    // A slug can never contain "_", so ids and slugs cannot be confused.
    const res = await h.call('GET', '/v1/projects/prj-lookalike', { key: acme.viewer });
    expect(res.status).toBe(404);
  });
});
