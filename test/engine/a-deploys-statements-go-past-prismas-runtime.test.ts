import type { Job } from 'bullmq';
import { Client, Pool } from 'pg';
import { QueueName } from '../../src/engine/queue-names';
import { InstantDriver } from '../../src/krane/drivers/instant-driver';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';

/**
 * A deploy's own statements (besides its steps' bookkeeping, a-steps-bookkeeping-goes-past-prismas-runtime.test.ts):
 * the request, the status moves, the instances, build-routes' read, the routing gate, latest wins, the live-state
 * reads. Through Prisma's client runtime each cost about 230–350 µs of CPU in this process, through `pg` with a
 * prepared statement about 110 µs; they go straight to the pool the Prisma client also uses, each under a statement
 * name. 17 of a deploy's 37 statements went through Prisma's runtime before; what is left there is the routing
 * transaction (BEGIN, the fence, the replay check, the moves, the record, COMMIT).
 *
 * Seen at `pg`'s own query methods, which both paths call: a statement Prisma sends comes from its adapter's frames
 * (`Pool.query` for a statement of its own, `Client.query` on the connection it holds for a transaction).
 */
const DEPLOY_STATEMENTS: Record<string, RegExp> = {
  request: /^WITH "earlier" AS \(SELECT "id", "deploymentId", "requestHash" FROM "Operation"/,
  'status move': /^UPDATE (?:"public"\.)?"Deployment" SET "status" = /,
  instances: /^WITH reported AS \( SELECT \* FROM unnest/,
  "build-routes' read": /^SELECT \(SELECT "isRolledBack" FROM "Project" WHERE "id" = \$1\) AS "pinned"/,
  'routing gate': /^UPDATE (?:"public"\.)?"Deployment" SET "routingStartedAt" = /,
  'latest wins': /^UPDATE (?:"public"\.)?"Deployment" SET "cancelRequestedAt" = /,
  'live state': /^SELECT p\."liveDeploymentId", p\."isRolledBack"/,
};
/** Per deploy, through Prisma's runtime: the routing transaction's six statements, nothing else (17 before). */
const MAX_THROUGH_PRISMA_PER_DEPLOY = 6;
const DEPLOYS = 3;

interface Sent {
  text: string;
  name: string | undefined;
  viaPrisma: boolean;
}

const fromPrismasAdapter = () => /[\\/]@prisma[\\/]adapter-pg[\\/]/.test(new Error().stack ?? '');

function textOf(first: unknown): { text: string; name: string | undefined } {
  const q = first as string | { text?: string; name?: string };
  return { text: (typeof q === 'string' ? q : (q?.text ?? '')).replace(/\s+/g, ' ').trim(), name: typeof q === 'string' ? undefined : q?.name };
}

describe("a deploy's own statements", () => {
  let h: EngineHarness<InstantDriver>;
  const sent: Sent[] = [];
  let recording = false;
  /** Set while Pool.query runs: a Client.query it makes at once is the same statement, recorded there. */
  let inPoolQuery = false;
  const poolQuery = Pool.prototype.query;
  const clientQuery = Client.prototype.query;
  const completed = new Map<string, () => void>();

  beforeAll(async () => {
    h = await startEngineHarness({ kraneDriver: new InstantDriver(), workers: false });
    // The test waits on the operations worker's `completed` event (in this process): its waiting sends no statement.
    h.engine
      .startWorkers({ concurrency: 5 })
      .workers.find((w) => w.name === QueueName.operations)!
      .on('completed', (job: Job) => completed.get(String((job.data as { operationId?: string }).operationId))?.());
    Pool.prototype.query = function (this: Pool, ...args: unknown[]) {
      if (recording) sent.push({ ...textOf(args[0]), viaPrisma: fromPrismasAdapter() });
      inPoolQuery = true;
      try {
        return (poolQuery as (...a: unknown[]) => unknown).apply(this, args);
      } finally {
        inPoolQuery = false;
      }
    } as typeof Pool.prototype.query;
    // A transaction's statements go on the connection it checked out: seen here, when no Pool.query made the call.
    Client.prototype.query = function (this: Client, ...args: unknown[]) {
      if (recording && !inPoolQuery && fromPrismasAdapter()) sent.push({ ...textOf(args[0]), viaPrisma: true });
      return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof Client.prototype.query;
  });
  afterAll(async () => {
    Pool.prototype.query = poolQuery;
    Client.prototype.query = clientQuery;
    await h.close();
  });

  it(`go past Prisma's client runtime but for the routing transaction (at most ${MAX_THROUGH_PRISMA_PER_DEPLOY} through it per deploy)`, async () => {
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    const deploy = async (version: string) => {
      const { operationId } = await h.deploy({ projectId: project.id, image: HELLO_API, runtime: { env: { VERSION: version } } }, workspace.id);
      await new Promise<void>((resolve, reject) => {
        const timeout = setTimeout(() => reject(new Error(`deploy ${version} did not complete`)), 30_000);
        completed.set(operationId, () => {
          clearTimeout(timeout);
          resolve();
        });
      });
      return operationId;
    };
    await deploy('warm');
    recording = true;
    const operationIds = [];
    for (let i = 0; i < DEPLOYS; i++) operationIds.push(await deploy(`v${i}`));
    recording = false;
    for (const id of operationIds) expect((await h.db.prisma.operation.findUniqueOrThrow({ where: { id } })).state).toBe('succeeded');

    for (const [what, pattern] of Object.entries(DEPLOY_STATEMENTS)) {
      const matching = sent.filter((s) => pattern.test(s.text));
      expect({ what, atLeastOnePerDeploy: matching.length >= DEPLOYS }).toEqual({ what, atLeastOnePerDeploy: true });
      expect({ what, throughPrisma: matching.filter((s) => s.viaPrisma).length }).toEqual({ what, throughPrisma: 0 });
      // Each prepared once per connection: sent under a name.
      expect({ what, unnamed: matching.filter((s) => !s.name).length }).toEqual({ what, unnamed: 0 });
    }
    const throughPrisma = sent.filter((s) => s.viaPrisma);
    console.log(
      `per deploy: ${sent.length / DEPLOYS} statements seen, ${throughPrisma.length / DEPLOYS} through Prisma's runtime:\n` +
        [...new Set(throughPrisma.map((s) => s.text.slice(0, 120)))].map((t) => `  ${t}`).join('\n'),
    );
    expect(throughPrisma.length / DEPLOYS).toBeLessThanOrEqual(MAX_THROUGH_PRISMA_PER_DEPLOY);
  });
});
