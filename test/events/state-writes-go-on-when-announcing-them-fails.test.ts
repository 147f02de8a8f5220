import IORedis from 'ioredis';
import { redisStateEvents } from '../../src/engine/state-events';
import { DEFAULT_FALLBACK_MS } from '../../src/events/operation-watcher';
import { createLogger } from '../../src/logger';
import { waitForOperation } from '../../src/operations/wait-for-operation';
import { freePort } from '../../src/services/free-port';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';

/**
 * The engine announces through a Redis that is not there (nothing listens on its port): every publish fails. The
 * flow's state writes must not fail or stall because of it, the loss is logged once, not per event, and a waiter
 * still learns the outcome through its fallback reads.
 */
describe('a deploy whose every announcement is lost', () => {
  let h: EngineHarness;
  const lines: string[] = [];
  let nowhere: IORedis;
  beforeAll(async () => {
    nowhere = new IORedis(await freePort(), '127.0.0.1', { maxRetriesPerRequest: null, retryStrategy: () => 200 });
    nowhere.on('error', () => undefined);
    const logger = createLogger('warn', {}, (line) => {
      lines.push(line);
      return true;
    });
    h = await startEngineHarness({ events: redisStateEvents(nowhere, 'unused', logger) });
  });
  afterAll(async () => {
    await h.close();
    nowhere.disconnect();
  });

  it('still reaches ready, is logged once, and its waiter sees it finish through the fallback read', async () => {
    const { workspace } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    const { operationId, deploymentId } = await h.deploy({ projectId: 'shop', image: HELLO_API }, workspace.id);
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
    }) as unknown as typeof h.db.prisma;
    const started = Date.now();
    const op = await waitForOperation({ prisma: counting, watcher: h.watcher }, operationId, 60_000);
    const elapsed = Date.now() - started;
    expect(op).toMatchObject({ state: 'succeeded', errorMessage: null });
    expect((await h.db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } })).status).toBe('ready');
    const steps = await h.db.prisma.deploymentStep.findMany({ where: { ownerId: deploymentId } });
    expect(steps.map((s) => s.status)).toEqual(steps.map(() => 'succeeded'));

    const lost = lines.filter((l) => JSON.parse(l).msg === 'operation event not published; waiters fall back to reading the database');
    expect(lost).toHaveLength(1);
    expect(JSON.parse(lost[0]).error).toMatch(/Redis connection is/);
    console.log(`${reads} reads of the operation over ${elapsed} ms, every announcement lost`);
    expect(reads).toBeLessThanOrEqual(3 + Math.floor(elapsed / DEFAULT_FALLBACK_MS));
  });
});
