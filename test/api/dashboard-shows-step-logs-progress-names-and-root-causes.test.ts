import type { EngineHarness } from '../support/engine-harness';
import { ApiHarness, startApiHarnessWithEngine, WorkspaceKeys } from './support/api-harness';
import { createProject } from './support/deployments';

/**
 * What an operator sees on bull-board, read through the board's own API (what its pages call) with the root key:
 * a deploy's step jobs with their names, log lines and progress; a failed deploy's root job with the failing step and
 * its error code and no stack trace; the reconciler queue among the queues.
 */
describe('bull-board shows what the engine wrote on the jobs', () => {
  let h: ApiHarness & { engine: EngineHarness };
  let acme: WorkspaceKeys;
  beforeAll(async () => {
    h = await startApiHarnessWithEngine();
    acme = await h.workspace('acme');
    await createProject(h, acme.admin, 'shop');
  });
  afterAll(async () => h.close());

  const board = async (path: string) => {
    const res = await h.call('GET', `/admin/queues/api${path}`, { headers: { authorization: `Bearer ${h.rootKey}` } });
    expect(res.status).toBe(200);
    return res.body;
  };
  const deploy = async (image: string) => {
    const res = await h.call('POST', '/v1/deployments', { key: acme.deployer, body: { projectId: 'shop', image } });
    expect(res.status).toBe(202);
    const op = await h.engine.waitForOperation(res.body.operationId, 60_000);
    return { operationId: res.body.operationId as string, op };
  };

  it("shows a step job's name, its Logs and its Progress", async () => {
    const { operationId, op } = await deploy('file:examples/hello-api');
    expect(op.state).toBe('succeeded');
    const { job } = await board(`/queues/steps/${operationId}.poll-instances`);
    expect(job.name).toBe('poll-instances · shop/production');
    expect(job.progress).toMatchObject({ ready: 1, total: 1, percent: 100 });
    const logs: string[] = await board(`/queues/steps/${operationId}.poll-instances/logs`);
    console.log(`poll-instances on the board: ${job.name}, progress ${JSON.stringify(job.progress)}\n  ${logs.join('\n  ')}`);
    expect(logs[0]).toMatch(/ poll-instances started \(attempt 1\/\d+\)/);
    expect(logs[logs.length - 1]).toMatch(/ poll-instances succeeded in \d+ ms: 1\/1 instance\(s\) healthy/);
    expect((await board(`/queues/operations/${operationId}`)).job.name).toBe('deploy shop/production');
  }, 90_000);

  it("puts a failed deploy's root cause on its root job, without a stack trace", async () => {
    const { operationId, op } = await deploy('file:examples/does-not-exist');
    expect(op.state).toBe('failed');
    let root: { name: string; failedReason: string; stacktrace: string[] } | undefined;
    for (const until = Date.now() + 15_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
      root = (await board(`/queues/operations/${operationId}`)).job;
      if (root?.failedReason) break;
    }
    console.log(`root job on the board: ${root?.name}: ${root?.failedReason} (stacktrace ${JSON.stringify(root?.stacktrace)})`);
    expect(root?.failedReason).toMatch(/^create-in-krane failed \(krane_\w+\): krane CreateDeployment acme\/dep_\w+ failed: /);
    expect(root?.stacktrace).toEqual([]);
  }, 90_000);

  it('lists the reconciler queue', async () => {
    const { queues } = await board('/queues');
    expect(queues.map((q: { name: string }) => q.name)).toContain('reconciler');
  });
});
