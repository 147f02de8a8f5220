import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashApiKey } from '../../src/auth/api-key';
import { ApiHarness, startApiHarnessWithEngine, WorkspaceKeys } from '../api/support/api-harness';
import { createProject, seedDeployment } from '../api/support/deployments';
import type { EngineHarness } from '../support/engine-harness';
import { HELLO_API } from '../support/engine-harness';
import { ApiOverSocket, serveOverSocket } from './support/api-over-socket';
import { bulkText } from './support/bulk-file';
import { runEnqueue } from './support/enqueue-process';

// Each run starts a Node process with tsx and real deploys run: generous bounds for a loaded machine (they time nothing).
jest.setTimeout(240_000);

describe('npm run enqueue over the HTTP API', () => {
  let h: ApiHarness & { engine: EngineHarness };
  let api: ApiOverSocket;
  let ws: WorkspaceKeys;
  let dir: string;
  beforeAll(async () => {
    h = await startApiHarnessWithEngine();
    api = await serveOverSocket(h.app);
    ws = await h.workspace('acme');
    dir = mkdtempSync(path.join(os.tmpdir(), 'enqueue-api-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await api.close();
    await h.close();
  });

  const file = (name: string, ...rows: Array<object | string>) => {
    const p = path.join(dir, name);
    writeFileSync(p, bulkText(...rows));
    return p;
  };
  /** The script with nothing but the API's address and a key: no DATABASE_URL, no REDIS_URL. */
  const enqueue = (...args: string[]) => runEnqueue(args, { DEPLOYFLOW_API_URL: api.url, DEPLOYFLOW_API_KEY: ws.deployer });
  const counts = async () => {
    const p = h.db.prisma;
    const [operations, deployments, routeChanges, cancelRequested] = await Promise.all([
      p.operation.count(),
      p.deployment.count(),
      p.routeChange.count(),
      p.deployment.count({ where: { cancelRequestedAt: { not: null } } }),
    ]);
    return { operations, deployments, routeChanges, cancelRequested };
  };
  const operationIds = (stdout: string) => [...stdout.matchAll(/ (op_\w+)/g)].map((m) => m[1]);

  it('sends each line as the request a user would make, with the key, and a second run of the files creates nothing', async () => {
    const project = await createProject(h, ws.admin, 'api');
    const deployerId = (await h.db.prisma.apiKey.findUniqueOrThrow({ where: { hash: hashApiKey(ws.deployer) } })).id;
    const deploy = { op: 'deploy', projectId: 'api', image: HELLO_API, git: { branch: 'main' } };
    // Two production deploys in flight together, on two branches: on one, latest wins could stop the first before it is
    // routed, and the rollback below needs both ready.
    const deploys = file('deploys.jsonl', '# two deploy lines are two deploys, as the file says', deploy, { ...deploy, git: { branch: 'release' } }, { ...deploy, environment: 'preview' });

    const first = await enqueue(deploys);
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^line\s+2 {2}deploy {2}enqueued op_\w+, deployment dep_\w+ - deploy file:examples\/hello-api to api\/production$/m);
    expect(first.stdout).toMatch(/^line\s+3 {2}deploy {2}enqueued op_/m);
    expect(first.stdout).toMatch(/^line\s+4 {2}deploy {2}enqueued op_\w+, deployment dep_\w+ - deploy file:examples\/hello-api to api\/preview$/m);
    expect(first.stdout).toMatch(/^3 line\(s\): 3 enqueued in \d+\.\ds$/m);
    const deployOps = await h.db.prisma.operation.findMany({ where: { projectId: project.id }, orderBy: { createdAt: 'asc' } });
    // Asked for by the key, through the API: the API's permissions and idempotency applied.
    expect(deployOps.map((o) => o.requestedBy)).toEqual([deployerId, deployerId, deployerId]);
    expect(deployOps.map((o) => o.id).sort()).toEqual(operationIds(first.stdout).sort());
    for (const op of deployOps) expect((await h.engine.waitForOperation(op.id)).state).toBe('succeeded');
    const [v1, v2] = deployOps.map((o) => o.deploymentId!);
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(v2);

    // A deploy recorded but never started: something to cancel that no worker finishes first.
    const idle = await seedDeployment(h.db.prisma, { projectId: project.id, status: 'pending' });
    const rollback = file(
      'rollback.jsonl',
      { op: 'rollback', projectId: 'api', targetDeploymentId: v1, expectedSourceDeploymentId: v2, reason: 'v2 breaks checkout' },
      { op: 'cancel', deploymentId: idle.id },
    );
    const rolledBack = await enqueue(rollback, '--json');
    expect(rolledBack.code).toBe(0);
    const rows = rolledBack.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.slice(0, 2).map((r) => [r.line, r.op, r.outcome])).toEqual([
      [1, 'rollback', 'enqueued'],
      [2, 'cancel', 'done'],
    ]);
    expect(rows[2]).toEqual({ summary: expect.objectContaining({ total: 2, enqueued: 1, done: 1, rejected: 0, stoppedBy: null }) });
    expect((await h.engine.waitForOperation(rows[0].operationId)).state).toBe('succeeded');
    expect(await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).toMatchObject({
      liveDeploymentId: v1,
      isRolledBack: true,
      rolledBackBy: deployerId,
      rollbackReason: 'v2 breaks checkout',
    });
    expect((await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: idle.id } })).cancelRequestedAt).toBeInstanceOf(Date);

    // Promote v2 back, then undo that promote: the undo is resolved when it runs, after the promote (FIFO per project).
    const promote = file('promote.jsonl', { op: 'promote', projectId: project.id, targetDeploymentId: v2, reason: 'fixed' }, { op: 'undo', projectId: 'api', reason: 'too early' });
    const promoted = await enqueue(promote);
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toMatch(/^line\s+1 {2}promote {2}enqueued op_\w+, deployment dep_\w+ - promote prj_\w+ to dep_\w+$/m);
    expect(promoted.stdout).toMatch(/^line\s+2 {2}undo {5}enqueued op_\w+ - undo the last route change of api$/m);
    for (const id of operationIds(promoted.stdout)) expect((await h.engine.waitForOperation(id)).state).toBe('succeeded');
    expect(await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).toMatchObject({ liveDeploymentId: v1, isRolledBack: true });

    // The same files again: every line finds what it did before. Nothing new in the database, nothing new on the queues.
    const before = await counts();
    for (const [name, run, lines] of [
      ['deploys', deploys, 3],
      ['rollback', rollback, 2],
      ['promote', promote, 2],
    ] as const) {
      const again = await enqueue(run, '--concurrency', '3');
      expect({ name, code: again.code }).toEqual({ name, code: 0 });
      expect(again.stdout).toContain(`${lines} line(s): ${lines} already done in`);
      // The outcome column: never a new operation ("already done" has one space before "done").
      expect(again.stdout).not.toMatch(/ {2}(enqueued|done) /);
    }
    expect(operationIds((await enqueue(deploys)).stdout).sort()).toEqual(operationIds(first.stdout).sort());
    expect(await counts()).toEqual(before);
  });
});
