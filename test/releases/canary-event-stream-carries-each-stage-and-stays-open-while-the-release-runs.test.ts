import { startApiHarnessWithEngine } from '../api/support/api-harness';
import { createProject, deployOverHttp } from '../api/support/deployments';
import { parseSse } from '../api/support/sse';
import { useApiHarness } from '../api/support/use-api-harness';

/**
 * The canary's event stream (GET /v1/deployments/{id}/events) tells a release's story: a `release` event when it
 * starts, at each stage and at its end, numbered with the deployment's other events. A ready canary is still
 * changing, so its stream stays open while the release runs, and closes after the status the release leaves.
 */
describe("the canary's event stream during a release", () => {
  const { h, acme } = useApiHarness(['acme'], { start: () => startApiHarnessWithEngine(), timeoutMs: 60_000 });

  beforeAll(async () => {
    const { id } = await createProject(h, acme.admin, 'shop');
    await deployOverHttp(h, acme.deployer, { projectId: id, version: '1' });
    const policy = await h.call('POST', '/v1/projects/shop/release-policy', {
      key: acme.deployer,
      body: { stages: [{ weight: 10, durationSeconds: 60 }, { weight: 40, durationSeconds: 60 }, { weight: 100 }], advance: 'manual' },
    });
    expect(policy.status).toBe(200);
  }, 60_000);

  it('stays open while the release runs, sends a release event per stage, and ends after the release with the terminal status', async () => {
    const { deploymentId: v2, operation } = await deployOverHttp(h, acme.deployer, { projectId: (await h.call('GET', '/v1/projects/shop', { key: acme.viewer })).body.id, version: '2' });
    const releaseId = operation.result.releaseId as string;
    expect(releaseId).toMatch(/^rel_/);

    // While the release runs, the stream is still open after the deploy settled: read it with a deadline.
    const controller = new AbortController();
    const openRead = Promise.resolve(h.app.request(`/v1/deployments/${v2}/events`, { headers: { authorization: `Bearer ${acme.viewer}` }, signal: controller.signal }));
    const stillOpen = await Promise.race([openRead.then((r) => r.text()).then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 3_000))]);
    controller.abort();
    await openRead.then((r) => r.text()).catch(() => undefined);
    expect(stillOpen).toBe(true);

    for (let i = 0; i < 2; i++) {
      const res = await h.call('POST', `/v1/projects/shop/releases/${releaseId}/advance?wait=10`, { key: acme.deployer });
      expect(res.status).toBe(200);
    }
    const events = parseSse((await h.call('GET', `/v1/deployments/${v2}/events`, { key: acme.viewer })).text);
    const releases = events.filter((e) => e.event === 'release').map((e) => [e.data.state, e.data.stage, e.data.weight]);
    expect(releases).toEqual([
      ['running', 0, 10],
      ['running', 1, 40],
      ['completed', 2, 100],
    ]);
    expect(events.filter((e) => e.event === 'release').every((e) => e.data.releaseId === releaseId && e.data.stages === 3)).toBe(true);
    const last = events[events.length - 1];
    expect(last).toMatchObject({ event: 'status', data: { status: 'ready', terminal: true } });
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_e, i) => i + 1));
  }, 90_000);
});
