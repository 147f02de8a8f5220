import { Job } from 'bullmq';
import { loadConfig } from '../../src/config';
import { stepJobId } from '../../src/engine/queue-names';
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

describe('a worker process killed with SIGKILL while a deploy polls', () => {
  it('leaves the deploy to the next worker: it reaches ready and Krane saw one create', async () => {
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
    const first = startWorkerProcess(workerEnv);
    let second: ReturnType<typeof startWorkerProcess> | undefined;
    try {
      const { workspace } = await seedProject(db.prisma, { workspace: 'acme', project: 'shop' });
      const { deploymentId, operationId } = await createDeploy(
        { prisma: db.prisma, enqueue: engine.enqueue },
        { workspaceId: workspace.id, requestedBy: 'test' },
        DeployRequest.parse({ projectId: 'shop', image: HELLO_API, runtime: { env: { HEALTHY_AFTER_MS: '5000' } } }),
      );
      // Wait until the first worker is polling (at least two polls kept in the step's state: the progress line changes
      // only when what it shows does), then kill it without warning.
      await eventually(async () => {
        const step = await db.prisma.deploymentStep.findUniqueOrThrow({ where: { ownerId_name: { ownerId: deploymentId, name: 'poll-instances' } } });
        const job = await Job.fromId(engine.deps.queues.steps, stepJobId(operationId, 'poll-instances'));
        const polls = (job?.data as { polls?: number } | undefined)?.polls ?? 0;
        if (step.status !== 'running' || polls < 2) throw new Error(`not polling yet: ${step.status} ${step.output}, ${polls} poll(s) kept`);
      }, 30_000);
      await first.kill();
      expect(first.running).toBe(false);
      const before = await db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
      expect(before.status).toBe('deploying');

      second = startWorkerProcess(workerEnv);
      const op = await waitForOperation({ prisma: db.prisma, watcher }, operationId, 60_000);
      expect(op?.errorMessage ?? null).toBeNull();
      expect(op?.state).toBe('succeeded');
      const after = await db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
      expect(after.status).toBe('ready');
      expect(krane.calls.create).toBe(1);
      const steps = await db.prisma.deploymentStep.findMany({ where: { ownerId: deploymentId } });
      expect(steps.every((s) => s.status === 'succeeded')).toBe(true);
    } finally {
      await first.kill();
      await second?.stop();
      await watcher.close();
      await engine.close();
      kraneClient.close();
      await krane.stop();
      await redis.quit();
      await db.drop();
    }
  }, 120_000);
});
