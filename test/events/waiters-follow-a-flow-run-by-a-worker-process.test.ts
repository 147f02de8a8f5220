import { DEPLOY_STEPS } from '../../flows/step-names';
import type { Db } from '../../src/db/prisma';
import { DEFAULT_FALLBACK_MS } from '../../src/events/operation-watcher';
import { createHydraClient } from '../../src/grpc/client';
import { RunningGrpcServer, startGrpcServer } from '../../src/grpc/server';
import { waitForOperation } from '../../src/operations/wait-for-operation';
import { ApiHarness, startApiHarnessWithEngine, WorkspaceKeys } from '../api/support/api-harness';
import { createProject } from '../api/support/deployments';
import { parseSse, SseEvent } from '../api/support/sse';
import type { EngineHarness } from '../support/engine-harness';
import { TEST_ENGINE_SETTINGS } from '../support/engine-harness';
import { startWorkerProcess } from '../support/worker-process';

/**
 * The API (and gRPC) in this process, every step run by a separate `npm run worker` process: what the waiters learn
 * comes through Redis from the other process, not from anything shared in memory.
 */
describe('?wait, gRPC waits and the event stream follow a flow that another process runs', () => {
  let h: ApiHarness & { engine: EngineHarness };
  let acme: WorkspaceKeys;
  let projectId: string;
  let worker: ReturnType<typeof startWorkerProcess>;
  let grpc: RunningGrpcServer;
  beforeAll(async () => {
    h = await startApiHarnessWithEngine({ workers: false });
    const e = h.engine;
    worker = startWorkerProcess({ redisUrl: e.redisUrl, databaseUrl: e.db.url, kraneUrl: e.krane.url, kraneToken: e.krane.token, prefix: e.prefix, settings: TEST_ENGINE_SETTINGS });
    acme = await h.workspace('acme');
    projectId = (await createProject(h, acme.admin, 'shop')).id;
    grpc = await startGrpcServer(h.ctx, { port: 0 });
  });
  afterAll(async () => {
    await grpc?.stop();
    await worker?.stop();
    await h.close();
  });

  const deploy = async (version: string) => {
    const res = await h.call('POST', '/v1/deployments', { key: acme.deployer, body: { projectId, image: 'file:examples/hello-api', runtime: { env: { VERSION: version } } } });
    expect(res.status).toBe(202);
    return res.body as { deploymentId: string; operationId: string };
  };
  const live = async () => (await h.db.prisma.project.findUniqueOrThrow({ where: { id: projectId } })).liveDeploymentId;
  let v1: string;
  let v2: string;

  it('streams the steps of the deploy in order as the worker process runs them, then the terminal status', async () => {
    const created = await deploy('v1');
    v1 = created.deploymentId;
    const res = await h.call('GET', `/v1/deployments/${v1}/events`, { key: acme.viewer });
    const events = parseSse(res.text);
    const last = events[events.length - 1];
    expect(last).toMatchObject({ event: 'status', data: { status: 'ready', terminal: true } });
    const lastSeen = new Map<string, string>();
    for (const e of events) if (e.event === 'step') lastSeen.set(e.data.name, e.data.status);
    expect([...lastSeen.entries()]).toEqual(DEPLOY_STEPS.map((name) => [name, 'succeeded']));
    // Each step seen on its way, not only at the end (the stream started before the worker ran them).
    expect(events.filter((e) => e.event === 'step').length).toBeGreaterThan(DEPLOY_STEPS.length);
    // Every step became running before it succeeded, and no step started before the one ahead of it succeeded.
    const steps = events.filter((e: SseEvent) => e.event === 'step').map((e) => e.data as { name: string; status: string });
    for (const [i, name] of DEPLOY_STEPS.entries()) {
      const firstRunning = steps.findIndex((s) => s.name === name && s.status === 'running');
      const succeeded = steps.findIndex((s) => s.name === name && s.status === 'succeeded');
      if (firstRunning >= 0) expect(firstRunning).toBeLessThan(succeeded);
      if (i > 0 && firstRunning >= 0) expect(steps.findIndex((s) => s.name === DEPLOY_STEPS[i - 1] && s.status === 'succeeded')).toBeLessThan(firstRunning);
    }
    const order = ['pending', 'building', 'deploying', 'network'];
    const seen = events.filter((e) => e.event === 'status' && !e.data.terminal).map((e) => order.indexOf(e.data.status));
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_e, i) => i + 1));
  });

  it('answers GET /v1/operations/:id?wait with the finished deploy', async () => {
    const created = await deploy('v2');
    v2 = created.deploymentId;
    const res = await h.call('GET', `/v1/operations/${created.operationId}?wait=30`, { key: acme.viewer });
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('succeeded');
    expect(await live()).toBe(v2);
  });

  it('answers a rollback with ?wait with 200 once switched', async () => {
    const res = await h.call('POST', `/v1/projects/${projectId}/rollback/${v1}?wait=30`, { key: acme.deployer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'rollback', state: 'succeeded' });
    expect(await live()).toBe(v1);
  });

  it('returns from gRPC Promote once switched', async () => {
    const client = createHydraClient(grpc.url, acme.deployer);
    try {
      await client.promote({ targetDeploymentId: v2 });
    } finally {
      client.close();
    }
    expect(await live()).toBe(v2);
  });

  it('reads the operation a handful of times while it waits, not every 50 ms', async () => {
    // A deploy whose app becomes healthy only after 1.5 s: a wait long enough for polling to show.
    const res = await h.call('POST', '/v1/deployments', {
      key: acme.deployer,
      body: { projectId, image: 'file:examples/hello-api', runtime: { env: { VERSION: 'v3', HEALTHY_AFTER_MS: '1500' } } },
    });
    expect(res.status).toBe(202);
    let reads = 0;
    const counting = h.db.prisma.$extends({
      query: {
        operation: {
          findUnique({ args, query }) {
            reads++;
            return query(args);
          },
        },
      },
    }) as unknown as Db;
    const started = Date.now();
    const op = await waitForOperation({ prisma: counting, watcher: h.ctx.watcher }, res.body.operationId, 30_000);
    const elapsed = Date.now() - started;
    expect(op?.state).toBe('succeeded');
    console.log(`wait for a deploy run by a worker process: ${reads} reads of the operation over ${elapsed} ms`);
    expect(elapsed).toBeGreaterThan(1_500);
    // The first read, the one after the finish, and one per fallback interval that passed with nothing heard.
    expect(reads).toBeLessThanOrEqual(2 + Math.floor(elapsed / DEFAULT_FALLBACK_MS));
    expect(await live()).toBe(res.body.deploymentId);
  });
});
