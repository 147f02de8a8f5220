import { errorFields } from './support/api-harness';
import { createProject } from './support/deployments';
import { seedRelease } from './support/releases';
import { useApiHarness } from './support/use-api-harness';

describe('the release routes (refused)', () => {
  const { h, acme } = useApiHarness(['acme']);
  let projectId: string;
  beforeAll(async () => {
    projectId = (await createProject(h, acme.admin, 'shop')).id;
    await createProject(h, acme.admin, 'other');
  });

  const weightChanges = () => h.db.prisma.operation.count({ where: { kind: 'canary_weight' } });

  it('answers 404 for a release that does not exist, and for one of another project', async () => {
    const { release } = await seedRelease(h.db.prisma, { projectId });
    expect((await h.call('GET', '/v1/projects/shop/releases/rel_00000000000000000000000000', { key: acme.viewer })).status).toBe(404);
    expect((await h.call('GET', `/v1/projects/other/releases/${release.id}`, { key: acme.viewer })).status).toBe(404);
    expect((await h.call('POST', `/v1/projects/other/releases/${release.id}/advance`, { key: acme.deployer })).status).toBe(404);
    expect((await h.call('POST', `/v1/projects/other/releases/${release.id}/abort`, { key: acme.deployer })).status).toBe(404);
    expect(await weightChanges()).toBe(0);
  });

  it.each(['completed', 'aborted', 'superseded'] as const)('answers 409 release_not_running to advance or abort a %s release', async (state) => {
    const { release } = await seedRelease(h.db.prisma, { projectId, state });
    for (const action of ['advance', 'abort']) {
      const res = await h.call('POST', `/v1/projects/shop/releases/${release.id}/${action}`, { key: acme.deployer });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('release_not_running');
    }
    expect(await weightChanges()).toBe(0);
  });

  it('answers 409 release_ending to advance a release being aborted', async () => {
    const { release } = await seedRelease(h.db.prisma, { projectId });
    expect((await h.call('POST', `/v1/projects/shop/releases/${release.id}/abort`, { key: acme.deployer })).status).toBe(202);
    const res = await h.call('POST', `/v1/projects/shop/releases/${release.id}/advance`, { key: acme.deployer });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('release_ending');
  });

  it('answers 400 naming the field for a bad body or ?wait', async () => {
    const { release } = await seedRelease(h.db.prisma, { projectId });
    const before = await weightChanges();
    const bad = await h.call('POST', `/v1/projects/shop/releases/${release.id}/abort`, { key: acme.deployer, body: { reason: 'x', weight: 0 } });
    expect(bad.status).toBe(400);
    expect(errorFields(bad)).toContain('weight');
    const wait = await h.call('POST', `/v1/projects/shop/releases/${release.id}/advance?wait=99`, { key: acme.deployer });
    expect(wait.status).toBe(400);
    expect(errorFields(wait)).toContain('wait');
    expect(await weightChanges()).toBe(before);
  });
});
