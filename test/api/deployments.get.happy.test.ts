import { DEPLOY_STEPS } from '../../flows/step-names';
import { startApiHarnessWithEngine } from './support/api-harness';
import { createProject, deployOverHttp } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/deployments/:id (happy path)', () => {
  const { h, acme } = useApiHarness(['acme'], { start: () => startApiHarnessWithEngine() });
  beforeAll(async () => {
    await createProject(h, acme.admin, 'shop');
  });

  it('shows a ready deploy with nine succeeded steps in order, its running instances, hostnames and scraped spec', async () => {
    const { deploymentId } = await deployOverHttp(h, acme.deployer, { projectId: 'shop', version: 'v1', env: { DATABASE_PASSWORD: 'hunter2-secret' } });
    const res = await h.call('GET', `/v1/deployments/${deploymentId}`, { key: acme.viewer });
    expect(res.status).toBe(200);
    const d = res.body;
    expect(d).toMatchObject({
      id: deploymentId,
      environment: 'production',
      status: 'ready',
      statusReason: null,
      failedStep: null,
      cancelRequestedAt: null,
      image: 'file:examples/hello-api',
      git: { branch: 'main', commitSha: null },
      runtime: { replicas: 1, port: 8080, healthCheckPath: '/healthz', openapiPath: '/openapi.json', envNames: ['DATABASE_PASSWORD', 'VERSION'] },
      hasOpenapi: true,
      isLive: true,
    });
    expect(d.steps.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual(DEPLOY_STEPS.map((name) => [name, 'succeeded']));
    for (const step of d.steps) {
      expect(step.attempts).toBeGreaterThanOrEqual(1);
      expect(Date.parse(step.endedAt)).toBeGreaterThanOrEqual(Date.parse(step.startedAt));
    }
    expect(d.instances).toHaveLength(1);
    expect(d.instances[0]).toMatchObject({ status: 'running', address: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });

    const port = h.ctx.config.GATEWAY_PORT;
    const hostnames = Object.fromEntries(d.hostnames.map((r: { sticky: string; hostname: string; url: string }) => [r.sticky, r]));
    expect(hostnames.live).toEqual({ hostname: 'shop-acme.deploy.localhost', sticky: 'live', url: `http://shop-acme.deploy.localhost:${port}/` });
    expect(hostnames.environment.hostname).toBe('shop-production-acme.deploy.localhost');
    expect(hostnames.branch.hostname).toBe('shop-git-main-acme.deploy.localhost');
    expect(hostnames.deployment.hostname).toMatch(/^shop-[a-z0-9]+-acme\.deploy\.localhost$/);

    // Environment variable values may be secrets: only names leave the API.
    expect(res.text).not.toContain('hunter2-secret');
    expect(res.text).not.toContain('"v1"');
  });

  it('stops calling a deployment live once a newer one took over, and keeps its own hostname', async () => {
    const first = await deployOverHttp(h, acme.deployer, { projectId: 'shop', version: 'a' });
    const second = await deployOverHttp(h, acme.deployer, { projectId: 'shop', version: 'b' });
    const older = (await h.call('GET', `/v1/deployments/${first.deploymentId}`, { key: acme.viewer })).body;
    const newer = (await h.call('GET', `/v1/deployments/${second.deploymentId}`, { key: acme.viewer })).body;
    expect(older.isLive).toBe(false);
    expect(newer.isLive).toBe(true);
    expect(older.hostnames.map((r: { sticky: string }) => r.sticky)).toEqual(['deployment']);
    expect(newer.hostnames.map((r: { sticky: string }) => r.sticky).sort()).toEqual(['branch', 'deployment', 'environment', 'live']);
  });
});
