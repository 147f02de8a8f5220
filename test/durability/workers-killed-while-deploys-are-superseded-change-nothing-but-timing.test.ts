import { loadConfig } from '../../src/config';
import { createDeployflowEngine } from '../../src/app/deployflow-engine';
import { createOperationWatcher } from '../../src/app/operation-watcher';
import { createKraneClient } from '../../src/krane/client';
import { silentLogger } from '../../src/logger';
import { createDeploy } from '../../src/operations/create-deploy';
import { DeployRequest } from '../../src/operations/deploy-request';
import { waitForOperation } from '../../src/operations/wait-for-operation';
import { startCountingKrane } from '../support/counting-krane';
import { HELLO_API } from '../support/engine-harness';
import { eventually } from '../support/http-get';
import { seedProject } from '../support/seed';
import { createTestDatabase } from '../support/test-database';
import { testRedis } from '../support/test-redis';
import { startWorkerProcess } from '../support/worker-process';

const SETTINGS = { pollIntervalMs: 200, pollDeadlineMs: 60_000, backoffMs: 100, lockDurationMs: 3_000, stalledIntervalMs: 1_000 };

describe('worker processes killed with SIGKILL while latest wins supersedes older deploys', () => {
  it('changes nothing but timing: the older deploys end superseded and compensated, the newest live', async () => {
    const db = await createTestDatabase();
    const r = testRedis();
    const redis = r.connect();
    const krane = await startCountingKrane();
    const prefix = `{${r.prefix}}`;
    const config = loadConfig({ QUEUE_PREFIX: prefix, REDIS_URL: r.url, DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
    const kraneClient = createKraneClient(krane.url, { token: krane.token });
    const engine = createDeployflowEngine({ config, db, prisma: db.prisma, redis, logger: silentLogger }, kraneClient, SETTINGS, r.url);
    const watcher = createOperationWatcher({ config, redis, logger: silentLogger });
    const workerEnv = { redisUrl: r.url, databaseUrl: db.url, kraneUrl: krane.url, kraneToken: krane.token, prefix, settings: SETTINGS };
    const workers = [startWorkerProcess(workerEnv)];
    try {
      const { workspace, project } = await seedProject(db.prisma, { workspace: 'acme', project: 'shop' });
      const deploy = (env: Record<string, string>) =>
        createDeploy(
          { prisma: db.prisma, enqueue: engine.enqueue },
          { workspaceId: workspace.id, requestedBy: 'test' },
          DeployRequest.parse({ projectId: 'shop', image: HELLO_API, git: { branch: 'main' }, runtime: { env } }),
        );
      // Three older deploys still polling (slow health) when the newest, healthy at once, reaches routing.
      const older = [await deploy({ HEALTHY_AFTER_MS: '20000' }), await deploy({ HEALTHY_AFTER_MS: '20000' }), await deploy({ HEALTHY_AFTER_MS: '20000' })];
      const newest = await deploy({});
      const olderIds = older.map((d) => d.deploymentId);

      // Kill 1: the moment the newest's assign-routes has marked the older ones (it may be mid-step, the older ones
      // mid-poll in the same worker).
      await eventually(async () => {
        const n = await db.prisma.deployment.count({ where: { id: { in: olderIds }, supersededById: { not: null } } });
        if (n === 0) throw new Error('nothing superseded yet');
      }, 45_000);
      await workers[0].kill();
      workers.push(startWorkerProcess(workerEnv));
      // Kill 2: the moment the first older deploy ends superseded (its compensation queued or running).
      await eventually(async () => {
        const n = await db.prisma.deployment.count({ where: { id: { in: olderIds }, status: 'superseded' } });
        if (n === 0) throw new Error('none ended superseded yet');
      }, 45_000);
      await workers[1].kill();
      workers.push(startWorkerProcess(workerEnv));

      const newestOp = await waitForOperation({ prisma: db.prisma, watcher }, newest.operationId, 60_000);
      expect(newestOp?.state).toBe('succeeded');
      expect(await db.prisma.deployment.findUniqueOrThrow({ where: { id: newest.deploymentId } })).toMatchObject({ status: 'ready', supersededById: null });
      expect((await db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(newest.deploymentId);
      for (const d of older) {
        const op = await waitForOperation({ prisma: db.prisma, watcher }, d.operationId, 60_000);
        expect(op?.state).toBe('superseded');
        expect(await db.prisma.deployment.findUniqueOrThrow({ where: { id: d.deploymentId } })).toMatchObject({
          status: 'superseded',
          supersededById: newest.deploymentId,
          routingStartedAt: null,
        });
        await eventually(async () => {
          const row = await db.prisma.deployment.findUniqueOrThrow({ where: { id: d.deploymentId } });
          if (!row.compensatedAt) throw new Error(`${d.deploymentId} not compensated yet`);
        }, 45_000);
        expect(await kraneClient.get('acme', d.deploymentId)).toEqual([]);
        expect(await db.prisma.ingressRoute.count({ where: { deploymentId: d.deploymentId } })).toBe(0);
      }
      expect((await kraneClient.get('acme', newest.deploymentId)).length).toBeGreaterThan(0);
      // Each deployment was created in Krane once, whatever was killed when.
      expect(krane.calls.create).toBe(4);
    } finally {
      for (const w of workers.slice(0, -1)) await w.kill();
      await workers[workers.length - 1].stop();
      await watcher.close();
      await engine.close();
      kraneClient.close();
      await krane.stop();
      await redis.quit();
      await db.drop();
    }
  }, 180_000);
});
