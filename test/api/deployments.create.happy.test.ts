import { startApiHarnessWithEngine } from './support/api-harness';
import { createProject, waitOverHttp } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/deployments (happy path)', () => {
  const { h, acme } = useApiHarness(['acme'], { start: () => startApiHarnessWithEngine() });
  let projectId: string;
  beforeAll(async () => {
    projectId = (await createProject(h, acme.admin, 'shop')).id;
  });

  it('answers 202 with the pending deployment and its operation, and the deploy runs to ready', async () => {
    const res = await h.call('POST', '/v1/deployments', {
      key: acme.admin,
      body: { projectId: 'shop', image: 'file:examples/hello-api', runtime: { env: { VERSION: 'v1' } } },
    });
    expect(res.status).toBe(202);
    const { deploymentId, operationId } = res.body;
    expect(deploymentId).toMatch(/^dep_/);
    expect(operationId).toMatch(/^op_/);
    expect(res.body).toEqual({
      deploymentId,
      operationId,
      status: 'pending',
      links: { deployment: `/v1/deployments/${deploymentId}`, operation: `/v1/operations/${operationId}` },
    });
    const op = await waitOverHttp(h, acme.admin, operationId);
    expect(op).toMatchObject({ kind: 'deploy', state: 'succeeded', deploymentId, projectId, error: null });
    const deployment = await h.call('GET', res.body.links.deployment, { key: acme.viewer });
    expect(deployment.body).toMatchObject({ status: 'ready', environment: 'production', isLive: true });
  });

  it('lets a deployer deploy to preview by project id, recording git and runtime settings', async () => {
    const res = await h.call('POST', '/v1/deployments', {
      key: acme.deployer,
      body: {
        projectId,
        environment: 'preview',
        image: 'file:examples/hello-api',
        git: { branch: 'feature/login', commitSha: 'ABCDEF1234567', message: 'Add login', author: 'ada' },
        runtime: { replicas: 2, cpuMillicores: 100, memoryMib: 64, env: { VERSION: 'preview' } },
      },
    });
    expect(res.status).toBe(202);
    expect((await waitOverHttp(h, acme.deployer, res.body.operationId)).state).toBe('succeeded');
    const d = (await h.call('GET', `/v1/deployments/${res.body.deploymentId}`, { key: acme.deployer })).body;
    expect(d).toMatchObject({
      environment: 'preview',
      status: 'ready',
      isLive: false,
      git: { branch: 'feature/login', commitSha: 'abcdef1234567', message: 'Add login', author: 'ada' },
      runtime: { replicas: 2, cpuMillicores: 100, memoryMib: 64, envNames: ['VERSION'] },
    });
    expect(d.instances.filter((i: { status: string }) => i.status === 'running')).toHaveLength(2);
    // A preview deploy never touches the live pointer.
    const project = (await h.call('GET', '/v1/projects/shop', { key: acme.viewer })).body;
    expect(project.liveDeploymentId).not.toBe(res.body.deploymentId);
  });

  it('creates one deployment for a repeated Idempotency-Key and replays the first answer', async () => {
    const body = { projectId: 'shop', image: 'file:examples/hello-api', runtime: { env: { VERSION: 'same' } } };
    const headers = { 'idempotency-key': 'deploy-same-1' };
    const first = await h.call('POST', '/v1/deployments', { key: acme.deployer, body, headers });
    const second = await h.call('POST', '/v1/deployments', { key: acme.deployer, body, headers });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(await h.db.prisma.deployment.count({ where: { envVars: { equals: { VERSION: 'same' } } } })).toBe(1);
    await waitOverHttp(h, acme.deployer, first.body.operationId);
  });
});
