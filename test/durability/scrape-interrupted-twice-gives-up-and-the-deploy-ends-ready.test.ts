import { loadConfig } from '../../src/config';
import { createDeployflowEngine } from '../../src/app/deployflow-engine';
import { createOperationWatcher } from '../../src/app/operation-watcher';
import { stepJobId } from '../../src/engine/queue-names';
import { DeployStep } from '../../flows/step-names';
import { createKraneClient } from '../../src/krane/client';
import { silentLogger } from '../../src/logger';
import { createDeploy } from '../../src/operations/create-deploy';
import { DeployRequest } from '../../src/operations/deploy-request';
import { waitForOperation } from '../../src/operations/wait-for-operation';
import type { ChildService } from '../../src/services/child-service';
import { startCountingKrane } from '../support/counting-krane';
import { eventually } from '../support/http-get';
import { seedProject } from '../support/seed';
import { createTestDatabase } from '../support/test-database';
import { testRedis } from '../support/test-redis';
import { startWorkerProcess } from '../support/worker-process';

// A long fetch timeout keeps each scrape of the dripping app in flight until its worker is killed.
const SETTINGS = { pollIntervalMs: 200, pollDeadlineMs: 60_000, backoffMs: 100, lockDurationMs: 3_000, stalledIntervalMs: 1_000, instanceHttpTimeoutMs: 60_000 };

/**
 * The crash loop of the issue: a scrape that takes its process down runs again on restart and takes it down again.
 * Parsing is isolated now, but whatever interrupts a scrape, BullMQ re-runs a stalled job (up to maxStalledCount) and
 * then fails it, which would fail the deploy. Here the worker process running the scrape is SIGKILLed twice; the
 * third run must give up on the spec at once, and the deploy must end ready.
 */
describe('a scrape whose worker process dies under it, twice', () => {
  it('is not tried a third time: the spec is "not stored" with the reason and the deploy ends ready', async () => {
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
    const workers: ChildService[] = [];
    try {
      const { workspace } = await seedProject(db.prisma, { workspace: 'acme', project: 'shop' });
      const { deploymentId, operationId } = await createDeploy(
        { prisma: db.prisma, enqueue: engine.enqueue },
        { workspaceId: workspace.id, requestedBy: 'test' },
        DeployRequest.parse({ projectId: 'shop', image: 'file:test/fixtures/hostile-openapi', runtime: { env: { HOSTILE_OPENAPI: 'drip' } } }),
      );
      const scrapeJobId = stepJobId(operationId, DeployStep.scrapeOpenapi);
      const scrapeState = async () => {
        const job = await engine.deps.queues.steps.getJob(scrapeJobId);
        return job?.data as { scrapeInFlight?: boolean; scrapeInterruptions?: number } | undefined;
      };

      for (let interruptions = 0; interruptions < 2; interruptions++) {
        const worker = startWorkerProcess(workerEnv);
        workers.push(worker);
        // This worker is in the middle of the scrape (the drip never ends): kill it without warning.
        await eventually(async () => {
          const state = await scrapeState();
          if (!state?.scrapeInFlight || (state.scrapeInterruptions ?? 0) !== interruptions) throw new Error(`scrape not in flight yet: ${JSON.stringify(state)}`);
        }, 45_000, 100);
        await worker.kill();
      }

      workers.push(startWorkerProcess(workerEnv));
      const op = await waitForOperation({ prisma: db.prisma, watcher }, operationId, 60_000);
      expect(op?.errorMessage ?? null).toBeNull();
      expect(op?.state).toBe('succeeded');
      const deployment = await db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
      expect(deployment.status).toBe('ready');
      expect(deployment.openapiSpec).toBeNull();
      const scrape = await db.prisma.deploymentStep.findUniqueOrThrow({ where: { ownerId_name: { ownerId: deploymentId, name: DeployStep.scrapeOpenapi } } });
      expect(scrape.status).toBe('succeeded');
      expect(scrape.output).toBe('not stored: the scrape was interrupted 2 times (the process running it stopped); not trying again');
      expect(await scrapeState()).toMatchObject({ scrapeInFlight: false, scrapeInterruptions: 2 });
      expect(krane.calls.create).toBe(1);
    } finally {
      for (const worker of workers) await worker.kill();
      await watcher.close();
      await engine.close();
      kraneClient.close();
      await krane.stop();
      await redis.quit();
      await db.drop();
    }
  }, 180_000);
});
