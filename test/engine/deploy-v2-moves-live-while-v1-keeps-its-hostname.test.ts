import { eventually, getViaHost } from '../support/http-get';
import { seedProject } from '../support/seed';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';

describe('traffic through the gateway', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness();
  });
  afterAll(async () => h.close());

  it('serves v1 on every hostname, then v2 on live/environment while v1 keeps its deployment hostname', async () => {
    const gateway = await h.startGateway();
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    const v1 = await h.deploy({ projectId: 'shop', image: HELLO_API, git: { branch: 'main' }, runtime: { env: { VERSION: 'v1' } } }, workspace.id);
    expect((await h.waitForOperation(v1.operationId)).state).toBe('succeeded');

    const v1Routes = await h.db.prisma.ingressRoute.findMany({ where: { deploymentId: v1.deploymentId } });
    expect(v1Routes.map((r) => r.sticky).sort()).toEqual(['branch', 'deployment', 'environment', 'live']);
    for (const route of v1Routes) {
      const res = await eventually(async () => {
        const r = await getViaHost(gateway.port, route.hostname);
        if (r.status !== 200) throw new Error(`${route.hostname}: ${r.status} ${r.body}`);
        return r;
      });
      expect(res.json()).toMatchObject({ deploymentId: v1.deploymentId, version: 'v1' });
      expect(res.headers['x-deployment-id']).toBe(v1.deploymentId);
    }

    const v2 = await h.deploy({ projectId: project.id, image: HELLO_API, git: { branch: 'main' }, runtime: { env: { VERSION: 'v2' } } }, workspace.id);
    expect((await h.waitForOperation(v2.operationId)).state).toBe('succeeded');
    const live = 'shop-acme.deploy.localhost';
    const env = 'shop-production-acme.deploy.localhost';
    for (const host of [live, env, 'shop-git-main-acme.deploy.localhost']) {
      await eventually(async () => {
        const r = await getViaHost(gateway.port, host);
        if (r.json().version !== 'v2') throw new Error(`${host} still serves ${r.body}`);
      });
    }
    const v1Own = v1Routes.find((r) => r.sticky === 'deployment')!.hostname;
    expect((await getViaHost(gateway.port, v1Own)).json()).toMatchObject({ version: 'v1', deploymentId: v1.deploymentId });
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(v2.deploymentId);
    expect((await getViaHost(gateway.port, 'nobody-acme.deploy.localhost')).status).toBe(404);
  });
});
