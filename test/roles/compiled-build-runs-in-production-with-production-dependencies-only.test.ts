import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeFixedPorts } from '../embedded/support/control-plane';
import { REPO_ROOT } from '../support/engine-harness';
import { getViaHost } from '../support/http-get';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { testRedis } from '../support/test-redis';
import { getJson, RoleProcess, waitFor200 } from './support/role-process';

const ROOT_KEY = 'compiled-build-root-key-0123456789abcdef';

/**
 * What the production image runs: `npm run build` (tsc with tsconfig.build.json, then the run-time assets), then
 * `node dist/src/main.js` with NODE_ENV=production — no tsx, and every package the image leaves out unresolvable (as
 * after `npm ci --omit=dev --omit=optional`). Built into a folder of its own under .test-results so a developer's dist/ is left alone; code
 * generation already ran (pretest), as it does in the image's build stage.
 */
describe('the compiled build runs with production dependencies only', () => {
  mkdirSync(path.join(REPO_ROOT, '.test-results'), { recursive: true });
  // Inside the repository (git-ignored), so the build's requires find node_modules as dist/ does.
  const out = mkdtempSync(path.join(REPO_ROOT, '.test-results', 'build-'));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'deployflow-compiled-'));
  const redis = testRedis();
  let db: TestDatabase;
  let app: RoleProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
    rmSync(out, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('builds: tsc emits dist/src/main.js, and the Lua scripts, the parser and the migrations are copied beside it', () => {
    const startedAt = Date.now();
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', out], { cwd: REPO_ROOT, stdio: 'pipe' });
    execFileSync(process.execPath, ['scripts/copy-assets.mjs', out], { cwd: REPO_ROOT, stdio: 'pipe' });
    console.log(`compiled build: ${Date.now() - startedAt} ms`);
    for (const file of ['src/main.js', 'src/worker-main.js', 'src/krane/main.js', 'src/gateway/cluster/worker.js', 'src/generated/prisma/client.js', 'src/openapi/parse-child.js', 'prisma/migrations']) {
      expect([file, existsSync(path.join(out, file))]).toEqual([file, true]);
    }
  }, 300_000);

  it('node dist/src/main.js (all roles, NODE_ENV=production) migrates, answers /readyz and runs a deploy end to end', async () => {
    const [api, grpc, gateway] = await freeFixedPorts(3);
    app = RoleProcess.start(
      'compiled',
      [],
      {
        NODE_ENV: 'production',
        DEPLOYFLOW_REPO_ROOT: REPO_ROOT,
        REDIS_URL: redis.url,
        DATABASE_URL: db.url,
        QUEUE_PREFIX: redis.prefix,
        DATA_DIR: dataDir,
        API_PORT: String(api),
        GRPC_PORT: String(grpc),
        GATEWAY_PORT: String(gateway),
        // Two gateway processes: the cluster forks the compiled worker entry (gateway/cluster/worker.js), not a .ts.
        GATEWAY_PROCESSES: '2',
        ROOT_API_KEY: ROOT_KEY,
        POLL_INTERVAL_MS: '100',
      },
      { kind: 'file', file: path.join(out, 'src', 'main.js'), nodeArgs: ['--require', path.join(__dirname, 'support', 'refuse-packages-absent-in-production.cjs')] },
    );
    await waitFor200(api, '/readyz', app, 120_000);
    expect((await getJson(api, '/readyz')).body).toMatchObject({ status: 'ready' });
    expect(app.output).not.toMatch(/tsx/);

    const call = async (method: string, pathname: string, key: string, body?: unknown) => {
      const res = await fetch(`http://127.0.0.1:${api}${pathname}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON the test picks apart
      return { status: res.status, body: (await res.json()) as any };
    };
    const key = (await call('POST', '/v1/workspaces', ROOT_KEY, { slug: 'acme', name: 'Acme' })).body.apiKey.key as string;
    expect((await call('POST', '/v1/projects', key, { slug: 'shop', name: 'Shop' })).status).toBe(201);
    const created = await call('POST', '/v1/deployments', key, { projectId: 'shop', image: 'file:examples/hello-api', runtime: { env: { VERSION: 'compiled' } } });
    expect(created.status).toBe(202);
    let op = await call('GET', `/v1/operations/${created.body.operationId}?wait=30`, key);
    if (op.body.state === 'queued' || op.body.state === 'running') op = await call('GET', `/v1/operations/${created.body.operationId}?wait=30`, key);
    expect(op.body).toMatchObject({ state: 'succeeded' });
    const live = await getViaHost(gateway, 'shop-acme.deploy.localhost');
    expect(live.status).toBe(200);
    expect(live.json()).toMatchObject({ version: 'compiled' });

    expect(await app.stop()).toBe(0);
    // What was refused and got along without (optional requires in try/catch, e.g. debug's supports-color): the
    // build served and deployed regardless, as it will in the image.
    const refused = [...new Set([...app.output.matchAll(/package absent in production requested at run time: (\S+) \(by ([^)]*)\)/g)].map((m) => `${m[1]} (by ${path.relative(REPO_ROOT, m[2])})`))];
    console.log(`packages a production install lacks, asked for and refused at run time: ${refused.length === 0 ? 'none' : refused.join(', ')}`);
  }, 240_000);
});
