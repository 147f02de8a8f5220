import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { ALL_QUEUES } from '../../src/engine/queue-names';
import { freeFixedPorts } from '../embedded/support/control-plane';
import { TEST_ENGINE_SETTINGS } from '../support/engine-harness';
import { eventually, getViaHost } from '../support/http-get';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { testRedis } from '../support/test-redis';
import { TEST_KRANE_TOKEN } from '../krane/krane-test-kit';
import { getJson, isListening, RoleProcess, waitFor200 } from './support/role-process';

const ROOT_KEY = 'roles-test-root-key-0123456789abcdef';

/**
 * `npm start -- --role X` for each role as its own OS process, sharing one Redis, one PostgreSQL and one Krane: each
 * serves its part and nothing else, and a deploy asked of the API process is run by the worker process through the
 * Krane process and served by the gateway process.
 */
describe('each role alone serves its part; a deploy crosses api, worker, krane and gateway processes', () => {
  const redis = testRedis();
  let db: TestDatabase;
  const started: RoleProcess[] = [];
  let ports: { api: number; grpc: number; gateway: number; kranePort: number; kraneHealth: number; gatewayHealth: number; workerHealth: number; gatewayMetrics: number };
  let shared: Record<string, string>;
  let api: RoleProcess;
  let gateway: RoleProcess;
  let worker: RoleProcess;
  let krane: RoleProcess;
  let queues: Queue[];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'deployflow-roles-'));

  /** `npm start -- --role <name>`, or with `via: 'env'` the ROLE variable and no argument (what a container sets). */
  const start = (name: string, env: Record<string, string>, via: 'argv' | 'env' = 'argv') => {
    const role = RoleProcess.start(name, via === 'argv' ? ['--role', name] : [], { ...shared, ...env, ...(via === 'env' ? { ROLE: name } : {}) });
    started.push(role);
    return role;
  };
  const workersOnQueues = async () => (await Promise.all(queues.map((q) => q.getWorkers()))).flat().length;
  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${ports.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON the test picks apart
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    const [api, grpc, gw, kranePort, kraneHealth, gatewayHealth, workerHealth, gatewayMetrics] = await freeFixedPorts(8);
    ports = { api, grpc, gateway: gw, kranePort, kraneHealth, gatewayHealth, workerHealth, gatewayMetrics };
    // Every process gets every port, so each can be checked not to listen where another role does.
    shared = {
      REDIS_URL: redis.url,
      DATABASE_URL: db.url,
      QUEUE_PREFIX: redis.prefix,
      API_PORT: String(ports.api),
      GRPC_PORT: String(ports.grpc),
      GATEWAY_PORT: String(ports.gateway),
      GATEWAY_PROCESSES: '1',
      ROOT_API_KEY: ROOT_KEY,
      DATA_DIR: dataDir,
    };
    queues = ALL_QUEUES.map((name) => new Queue(name, { connection: { url: redis.url }, prefix: redis.prefix }));
  });

  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop()));
    await Promise.all(queues?.map((q) => q.close()) ?? []);
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('--role krane serves Krane and its health port, and needs neither Redis nor PostgreSQL', async () => {
    krane = start('krane', { REDIS_URL: '', DATABASE_URL: '', KRANE_PORT: String(ports.kranePort), HEALTH_PORT: String(ports.kraneHealth), KRANE_TOKEN: TEST_KRANE_TOKEN });
    await krane.waitForOutput(/krane listening on/);
    await waitFor200(ports.kraneHealth, '/readyz', krane);
    expect((await getJson(ports.kraneHealth, '/healthz')).body).toEqual({ status: 'ok', role: 'krane' });
    for (const port of [ports.api, ports.grpc, ports.gateway]) expect(await isListening(port)).toBe(false);
  });

  it('--role api answers /readyz and the API routes, starts no worker and serves no gateway', async () => {
    api = start('api', {});
    await waitFor200(ports.api, '/readyz', api);
    expect((await getJson(ports.api, '/readyz')).body).toMatchObject({ status: 'ready', checks: { redis: 'ok', database: 'ok' } });
    expect((await getJson(ports.api, '/healthz')).status).toBe(200);
    // An API route: served (401 without a key, the error shape of the API), and the gRPC port is the API's too.
    expect(await getJson(ports.api, '/v1/projects')).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect(await isListening(ports.grpc)).toBe(true);
    expect(await isListening(ports.gateway)).toBe(false);
    expect(await workersOnQueues()).toBe(0);
  });

  it('ROLE=gateway serves the gateway port and health on its own port, and no API', async () => {
    gateway = start('gateway', { HEALTH_PORT: String(ports.gatewayHealth), GATEWAY_METRICS_PORT: String(ports.gatewayMetrics) }, 'env');
    await waitFor200(ports.gatewayHealth, '/readyz', gateway);
    expect((await getJson(ports.gatewayHealth, '/readyz')).body).toMatchObject({ status: 'ready', role: 'gateway', checks: { redis: 'ok', database: 'ok' } });
    // The health port serves nothing but health; the gateway port routes by Host.
    expect((await getJson(ports.gatewayHealth, '/v1/projects')).status).toBe(404);
    // The API port is the api process's: a gateway that also served the API would have failed to start on it.
    expect(gateway.output).not.toMatch(/"msg":"deployflow api is ready"/);
    const unknown = await getViaHost(ports.gateway, 'nobody-here.deploy.localhost');
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'unknown_host' } });
    expect(await workersOnQueues()).toBe(0);
  });

  let acmeKey: string;
  let deploy: { deploymentId: string; operationId: string };

  it('a deploy asked of the api process waits, queued, while no worker runs', async () => {
    const workspace = await call('POST', '/v1/workspaces', ROOT_KEY, { slug: 'acme', name: 'Acme' });
    expect(workspace.status).toBe(201);
    acmeKey = workspace.body.apiKey.key;
    expect((await call('POST', '/v1/projects', acmeKey, { slug: 'shop', name: 'Shop' })).status).toBe(201);
    const created = await call('POST', '/v1/deployments', acmeKey, { projectId: 'shop', image: 'file:examples/hello-api', git: { branch: 'main' }, runtime: { env: { VERSION: 'v1' } } });
    expect(created.status).toBe(202);
    deploy = created.body;
    // Nothing runs a step in the api or gateway process: after a while the operation has not started.
    await new Promise((r) => setTimeout(r, 2_000));
    const op = await call('GET', `/v1/operations/${deploy.operationId}`, acmeKey);
    expect(op.body.state).toBe('queued');
    const steps = await db.prisma.deploymentStep.findMany({ where: { ownerId: deploy.deploymentId, status: { not: 'pending' } } });
    expect(steps).toEqual([]);
  });

  it('--role worker runs that deploy through the krane process; the gateway process serves the live hostname', async () => {
    // Its environment names the API, gRPC and gateway ports, held by the other processes: a worker that tried to
    // serve any of them would fail to start.
    worker = start('worker', {
      HEALTH_PORT: String(ports.workerHealth),
      KRANE_URL: `http://127.0.0.1:${ports.kranePort}`,
      KRANE_TOKEN: TEST_KRANE_TOKEN,
      ENGINE_SETTINGS: JSON.stringify(TEST_ENGINE_SETTINGS),
    });
    await waitFor200(ports.workerHealth, '/readyz', worker);
    expect((await getJson(ports.workerHealth, '/readyz')).body).toMatchObject({ status: 'ready', role: 'worker' });
    expect(await workersOnQueues()).toBeGreaterThan(0);

    let done = await call('GET', `/v1/operations/${deploy.operationId}?wait=30`, acmeKey);
    if (!['succeeded', 'failed', 'cancelled'].includes(done.body.state)) done = await call('GET', `/v1/operations/${deploy.operationId}?wait=30`, acmeKey);
    expect(done.body).toMatchObject({ state: 'succeeded' });
    // Every step ran in the worker process (its log), none in the api process.
    expect(worker.output).toContain(`"operationId":"${deploy.operationId}"`);
    // The worker logs the outcome after it wrote the operation's final state (which ?wait answered on): wait for it.
    await worker.waitForOutput(/"msg":"operation succeeded"/, 15_000);
    expect(api.output).not.toMatch(/"msg":"step started"/);

    const live = await getViaHost(ports.gateway, 'shop-acme.deploy.localhost');
    expect(live.status).toBe(200);
    expect(live.json()).toMatchObject({ deploymentId: deploy.deploymentId, version: 'v1' });
    expect(live.headers['x-deployment-id']).toBe(deploy.deploymentId);

    // Each process measures what it runs: the worker its steps (on its health port), the gateway its requests.
    // (The outcome is counted as the operation ends, after its final state is written: scraped until it shows.)
    const workerMetrics = await eventually(async () => {
      const scraped = await getJson(ports.workerHealth, '/metrics');
      expect(scraped.body).toMatch(/deployflow_operations_total\{[^}]*result="succeeded"[^}]*\} 1/);
      return scraped;
    }, 15_000);
    expect(workerMetrics.status).toBe(200);
    expect(workerMetrics.body).toMatch(/deployflow_step_duration_seconds_count\{[^}]*step="create-in-krane"[^}]*\} 1/);
    const gatewayMetrics = await getJson(ports.gatewayMetrics, '/metrics');
    expect(gatewayMetrics.body).toMatch(/deployflow_gateway_requests_total/);
  }, 120_000);

  it('each role stops cleanly on SIGTERM (exit 0), Krane with the instances it ran', async () => {
    const instance = await db.prisma.instance.findFirstOrThrow({ where: { deploymentId: deploy.deploymentId, status: 'running' } });
    expect(await worker.stop()).toBe(0);
    expect(await gateway.stop()).toBe(0);
    expect(await api.stop()).toBe(0);
    expect(await krane.stop()).toBe(0);
    expect(krane.output).toContain('stopping every instance');
    const [host, port] = instance.address.split(':');
    expect(host).toBe('127.0.0.1');
    expect(await isListening(Number(port))).toBe(false);
  }, 60_000);
});
