import { Pool } from 'pg';
import { InstantDriver } from '../../src/krane/drivers/instant-driver';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';

/**
 * The engine's own statements for every step (the step row's start and success, the flow's planned rows, the
 * operation's end) are tens per deploy; through Prisma's client runtime each cost about 170 µs of CPU in this process,
 * through `pg` with a prepared statement about 70 µs. They go straight to the pool the Prisma client also uses (no
 * second pool: no more connections), each under a statement name so a connection prepares it once.
 *
 * Seen at `Pool.prototype.query`, which both paths call: a statement Prisma sends comes from its adapter's frames.
 */
const ENGINE_STATEMENTS: Record<string, RegExp> = {
  'step start': /^WITH "started" AS \( UPDATE "Operation" SET "state" = 'running'/,
  'step success': /^UPDATE "DeploymentStep" SET "status" = 'succeeded'/,
  'planned steps': /^INSERT INTO (?:"public"\.)?"DeploymentStep"/,
  'operation end': /^UPDATE (?:"public"\.)?"Operation" SET "state" = /,
};

interface Sent {
  text: string;
  name: string | undefined;
  viaPrisma: boolean;
  pool: Pool;
}

describe("a deploy's step bookkeeping", () => {
  let h: EngineHarness<InstantDriver>;
  const sent: Sent[] = [];
  let recording = false;
  const query = Pool.prototype.query;

  beforeAll(async () => {
    h = await startEngineHarness({ kraneDriver: new InstantDriver() });
    Pool.prototype.query = function (this: Pool, ...args: unknown[]) {
      if (recording) {
        const first = args[0] as string | { text?: string; name?: string };
        const text = (typeof first === 'string' ? first : (first?.text ?? '')).replace(/\s+/g, ' ').trim();
        const name = typeof first === 'string' ? undefined : first?.name;
        sent.push({ text, name, viaPrisma: /[\\/]@prisma[\\/]adapter-pg[\\/]/.test(new Error().stack ?? ''), pool: this });
      }
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof Pool.prototype.query;
  });
  afterAll(async () => {
    Pool.prototype.query = query;
    await h.close();
  });

  it("goes to PostgreSQL past Prisma's client runtime, as prepared statements on the Prisma client's own pool", async () => {
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    recording = true;
    const { operationId } = await h.deploy({ projectId: project.id, image: HELLO_API }, workspace.id);
    const op = await h.waitForOperation(operationId);
    recording = false;
    expect(op.state).toBe('succeeded');

    // Statements Prisma sends on this pool (the test's own reads of the operation while it waits) are seen too: the
    // recorder sees both paths.
    expect(sent.some((s) => s.viaPrisma)).toBe(true);
    // One pool for both paths: the direct path adds no connections.
    expect(new Set(sent.map((s) => s.pool)).size).toBe(1);
    for (const [what, pattern] of Object.entries(ENGINE_STATEMENTS)) {
      const matching = sent.filter((s) => pattern.test(s.text));
      expect({ what, atLeastOne: matching.length > 0 }).toEqual({ what, atLeastOne: true });
      expect({ what, throughPrisma: matching.filter((s) => s.viaPrisma).length }).toEqual({ what, throughPrisma: 0 });
      expect({ what, unnamed: matching.filter((s) => !s.name).length }).toEqual({ what, unnamed: 0 });
    }
    // Nine steps: nine starts and nine successes, none of them through Prisma.
    expect(sent.filter((s) => ENGINE_STATEMENTS['step start'].test(s.text))).toHaveLength(9);
    expect(sent.filter((s) => ENGINE_STATEMENTS['step success'].test(s.text))).toHaveLength(9);
  });
});
