import { startApiHarnessWithEngine } from '../api/support/api-harness';
import { createProject, deployOverHttp, waitOverHttp } from '../api/support/deployments';
import { useApiHarness } from '../api/support/use-api-harness';

/**
 * A production deploy of a project with a staged, manual policy ends ready at the first stage (the live deployment
 * stays live, the canary gets the first weight), and the release moves only when asked: advance steps it to the
 * next stage, abort ends it with the stable taking everything back and the canary rolled_back.
 */
describe('a manual release, driven through the API', () => {
  const { h, acme } = useApiHarness(['acme'], { start: () => startApiHarnessWithEngine(), timeoutMs: 60_000 });
  let projectId: string;
  let v1: string;

  beforeAll(async () => {
    projectId = (await createProject(h, acme.admin, 'shop')).id;
    v1 = (await deployOverHttp(h, acme.deployer, { projectId, version: '1' })).deploymentId;
    const policy = await h.call('POST', '/v1/projects/shop/release-policy', {
      key: acme.deployer,
      body: { stages: [{ weight: 10, durationSeconds: 1 }, { weight: 40, durationSeconds: 1 }, { weight: 100 }], advance: 'manual' },
    });
    expect(policy.status).toBe(200);
  }, 60_000);

  const project = async () => (await h.call('GET', '/v1/projects/shop', { key: acme.viewer })).body;
  const releaseOf = async (canary: string) => h.db.prisma.release.findFirstOrThrow({ where: { canaryDeploymentId: canary } });
  const liveRoute = () => h.db.prisma.ingressRoute.findFirstOrThrow({ where: { projectId, sticky: 'live' } });
  const getRelease = async (id: string) => (await h.call('GET', `/v1/projects/shop/releases/${id}`, { key: acme.viewer })).body;

  it('ends the deploy ready at the first stage, advances on request only, and completes: the canary becomes live', async () => {
    const { deploymentId: v2, operation } = await deployOverHttp(h, acme.deployer, { projectId, version: '2' });
    expect(operation.state).toBe('succeeded');
    expect((await h.call('GET', `/v1/deployments/${v2}`, { key: acme.viewer })).body.status).toBe('ready');
    expect((await project()).liveDeploymentId).toBe(v1);
    const release = await releaseOf(v2);
    expect(release).toMatchObject({ state: 'running', stableDeploymentId: v1, stageIndex: 0, weight: 10 });
    expect(await liveRoute()).toMatchObject({ deploymentId: v1, canaryDeploymentId: v2, canaryWeight: 10 });

    // Its time is up after 1 s, but a manual stage waits for an advance: it only says so.
    await new Promise((r) => setTimeout(r, 2_500));
    const waiting = await getRelease(release.id);
    expect(waiting).toMatchObject({ state: 'running', stage: 0, weight: 10, awaitingAdvance: true });

    const advance = await h.call('POST', `/v1/projects/shop/releases/${release.id}/advance?wait=10`, { key: acme.deployer });
    expect(advance.status).toBe(200);
    expect(advance.body).toMatchObject({ kind: 'canary_weight', state: 'succeeded' });
    expect(await getRelease(release.id)).toMatchObject({ state: 'running', stage: 1, weight: 40, weights: { canary: 40, stable: 60 } });
    expect(await liveRoute()).toMatchObject({ deploymentId: v1, canaryDeploymentId: v2, canaryWeight: 40 });
    expect((await project()).liveDeploymentId).toBe(v1);

    const last = await h.call('POST', `/v1/projects/shop/releases/${release.id}/advance?wait=10`, { key: acme.deployer });
    expect(last.status).toBe(200);
    const done = await getRelease(release.id);
    expect(done).toMatchObject({ state: 'completed', stage: 2, weight: 100, current: null });
    expect(done.stages.map((s: { weight: number }) => s.weight)).toEqual([10, 40]);
    expect((await project()).liveDeploymentId).toBe(v2);
    expect(await liveRoute()).toMatchObject({ deploymentId: v2, canaryDeploymentId: null });
    // The release operation's judge ends with the release.
    expect((await waitOverHttp(h, acme.viewer, release.operationId, 20_000)).state).toBe('succeeded');
  }, 120_000);

  it('aborts on request: the stable stays live and serves everything, the canary ends rolled_back with the reason', async () => {
    const { deploymentId: v3 } = await deployOverHttp(h, acme.deployer, { projectId, version: '3' });
    const live = (await project()).liveDeploymentId;
    const release = await releaseOf(v3);
    expect(release).toMatchObject({ state: 'running', stableDeploymentId: live, weight: 10 });
    const abort = await h.call('POST', `/v1/projects/shop/releases/${release.id}/abort?wait=10`, { key: acme.deployer, body: { reason: 'not today' } });
    expect(abort.status).toBe(200);
    const ended = await getRelease(release.id);
    expect(ended).toMatchObject({ state: 'aborted', weight: 0, endReason: expect.stringContaining('not today') });
    const canary = (await h.call('GET', `/v1/deployments/${v3}`, { key: acme.viewer })).body;
    expect(canary.status).toBe('rolled_back');
    expect((await project()).liveDeploymentId).toBe(live);
    expect(await liveRoute()).toMatchObject({ deploymentId: live, canaryDeploymentId: null });
    const again = await h.call('POST', `/v1/projects/shop/releases/${release.id}/advance`, { key: acme.deployer });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('release_not_running');
  }, 120_000);
  it('is superseded by a newer production deploy (which starts its own release) and by a rollback', async () => {
    const stable = (await project()).liveDeploymentId;
    const { deploymentId: v4 } = await deployOverHttp(h, acme.deployer, { projectId, version: '4' });
    const r4 = await releaseOf(v4);
    const { deploymentId: v5 } = await deployOverHttp(h, acme.deployer, { projectId, version: '5' });
    expect(await getRelease(r4.id)).toMatchObject({ state: 'superseded', endReason: `superseded by deployment ${v5}` });
    expect((await h.call('GET', `/v1/deployments/${v4}`, { key: acme.viewer })).body.status).toBe('ready');
    const r5 = await releaseOf(v5);
    expect(r5).toMatchObject({ state: 'running', stableDeploymentId: stable, stageIndex: 0, weight: 10 });
    expect(await liveRoute()).toMatchObject({ deploymentId: stable, canaryDeploymentId: v5, canaryWeight: 10 });
    // A weight change of the superseded release asked for afterwards changes nothing.
    expect((await h.call('POST', `/v1/projects/shop/releases/${r4.id}/advance`, { key: acme.deployer })).status).toBe(409);

    const rollback = await h.call('POST', `/v1/projects/shop/rollback/${v4}?wait=10`, { key: acme.deployer, body: { reason: 'back to v4' } });
    expect(rollback.status).toBe(200);
    expect(await getRelease(r5.id)).toMatchObject({ state: 'superseded', endReason: expect.stringContaining('superseded by rollback') });
    expect(await project()).toMatchObject({ liveDeploymentId: v4, isRolledBack: true });
    expect(await liveRoute()).toMatchObject({ deploymentId: v4, canaryDeploymentId: null });
    expect(await h.db.prisma.release.count({ where: { projectId, state: 'running' } })).toBe(0);
  }, 120_000);
});
