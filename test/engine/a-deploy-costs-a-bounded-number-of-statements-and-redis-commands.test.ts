import type { Job } from 'bullmq';
import net from 'node:net';
import { Client } from 'pg';
import { QueueName } from '../../src/engine/queue-names';
import { decodeEvents } from '../../src/engine/state-events';
import { InstantDriver } from '../../src/krane/drivers/instant-driver';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';

/**
 * What one deploy costs the engine, counted rather than timed (counts do not depend on the machine's load): the
 * PostgreSQL statements sent and the Redis commands run under the test's key prefix (MONITOR, so a pipelined or
 * scripted command counts once per command), from the request to the root job's completion, with an instant Krane.
 * The test waits on the operations worker's `completed` event (in this process), so its own waiting adds nothing.
 *
 * Counted here (the test's settings, 5 deploys after 2 warm-ups): 92 statements and 124 Redis commands per deploy
 * before the per-step bookkeeping was trimmed, 89 and ~103 after; 69 statements once the steps stopped reading the
 * deployment, project, environment and workspace again (fetch-metadata reads them once and hands them on); 60 once a
 * step's first run checks for cancellation inside the statement that records its start (six reads less); 56 once the
 * request hands the engine the operation row and the subject it holds (four reads less); 38 once the request is one
 * statement handing fetch-metadata its facts, assign-routes' reads ride in its transaction's replay check and
 * build-routes, update-live and the outcome read in one statement each; 37 once a route change creates its routes in
 * the statement that moves the others. Redis commands: 103 before the children's outputs were handed on in process and
 * announcements coalesced, ~78 after. The bounds
 * hold the trimmed figures with a little slack, so that a change that adds a round trip per step (nine per deploy) fails
 * here, and the trims are pinned one by one.
 */
const DEPLOYS = 5;
/**
 * 92 before, 89 after the bookkeeping trims (the operation starts in its first step's row statement, its end no longer
 * reads the row back, nor its outcome the operation), 69 after the steps' reads (what cannot change is read once, by
 * fetch-metadata, in one statement), 60 after the cancellation check rode in the step-start statement, 56 once the
 * request hands on what it holds, 38 once the request is one statement and the routing transaction, build-routes,
 * update-live and the outcome read in one statement each, 37 once the creates join the moves' statement; slack for a
 * second poll under load.
 */
const MAX_STATEMENTS_PER_DEPLOY = 39;
/**
 * 124 before, ~104 after (18–21 of them BullMQ's job fetches, whose number varies with timing); ~93 once a step takes
 * its children's outputs from the process that completed them (ten HGETALLs less), ~78 once a busy channel's
 * announcements go out together (27 PUBLISHes → ~12; how many merge depends on the timing, so the bound allows for
 * fewer merges).
 */
const MAX_REDIS_COMMANDS_PER_DEPLOY = 90;
/** 27.4 before the announcements were coalesced (one per change and channel), ~12 after. */
const MAX_PUBLISHES_PER_DEPLOY = 20;
/** BullMQ's addLog script (the only one whose second key is a job's logs), one call per line before the journal wrote its lines together. */
const ADD_LOG = 'evalsha addLog';

describe('a deploy with an instant Krane', () => {
  let h: EngineHarness<InstantDriver>;
  let monitor: net.Socket;
  const statements: string[] = [];
  const commands: string[] = [];
  const scriptCommands: string[] = [];
  let idleWaits = 0;
  /** The channels an operation's move to `running` was announced on. */
  const runningAnnounced: string[] = [];
  let counting = false;
  const query = Client.prototype.query;
  const completed = new Map<string, () => void>();

  beforeAll(async () => {
    h = await startEngineHarness({ kraneDriver: new InstantDriver(), workers: false });
    const workers = h.engine.startWorkers({ concurrency: 5 });
    workers.workers
      .find((w) => w.name === QueueName.operations)!
      .on('completed', (job: Job) => {
        const done = completed.get(String((job.data as { operationId?: string }).operationId));
        done?.();
      });
    Client.prototype.query = function (this: Client, ...args: unknown[]) {
      if (counting) {
        const first = args[0] as string | { text?: string };
        statements.push((typeof first === 'string' ? first : (first?.text ?? '')).replace(/\s+/g, ' ').trim());
      }
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof Client.prototype.query;
    const prefix = h.prefix.replace(/[{}]/g, '');
    // MONITOR on a plain socket: each command the server runs arrives as one `+<time> [db addr] "cmd" "arg" …` line.
    const url = new URL(h.redisUrl);
    monitor = net.connect(Number(url.port || 6379), url.hostname);
    await new Promise<void>((resolve) => monitor.once('connect', () => resolve()));
    let pending = '';
    monitor.setEncoding('utf8');
    monitor.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\r\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!counting || !line.startsWith('+') || !line.includes(prefix)) continue;
        const args = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
        const name = args[0].toLowerCase() !== 'evalsha' ? args[0].toLowerCase() : args[4]?.endsWith(':logs') ? ADD_LOG : `evalsha ${args[1].slice(0, 8)}`;
        // A script's own commands show as `[0 lua]`: they cost the server work but no round trip. A worker's blocking
        // wait for its next job (BZPOPMIN) counts idle time, not work: how many there are depends on the timing.
        if (/^\+\S+ \[\d+ lua\]/.test(line)) scriptCommands.push(name);
        else if (name === 'bzpopmin') idleWaits++;
        else commands.push(name);
        // A message carries one event, or several announced together (state-events.ts coalesces them).
        const announced = name === 'publish' ? decodeEvents<{ type?: string; state?: string }>(args[2]?.replace(/\\"/g, '"') ?? '') : [];
        if (announced.some((e) => e.type === 'operation' && e.state === 'running')) runningAnnounced.push(args[1]);
      }
    });
    monitor.write('MONITOR\r\n');
  });
  afterAll(async () => {
    Client.prototype.query = query;
    monitor?.destroy();
    await h.close();
  });

  it(`costs at most ${MAX_STATEMENTS_PER_DEPLOY} statements and ${MAX_REDIS_COMMANDS_PER_DEPLOY} Redis commands`, async () => {
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    const deploy = async (version: string) => {
      const r = await h.deploy({ projectId: project.id, image: HELLO_API, runtime: { env: { VERSION: version } } }, workspace.id);
      await new Promise<void>((resolve, reject) => {
        const timeout = setTimeout(() => reject(new Error(`deploy ${version} did not complete`)), 30_000);
        completed.set(r.operationId, () => {
          clearTimeout(timeout);
          resolve();
        });
      });
      return r;
    };
    // The first deploy warms up what is done once (prepared scripts, the project's first routes).
    await deploy('warm-1');
    await deploy('warm-2');
    counting = true;
    const runs = [];
    for (let i = 0; i < DEPLOYS; i++) runs.push(await deploy(`v${i}`));
    // Announcements are fire and forget: give the last ones time to land before counting.
    await new Promise((r) => setTimeout(r, 300));
    counting = false;

    for (const run of runs) {
      const op = await h.db.prisma.operation.findUniqueOrThrow({ where: { id: run.operationId } });
      expect(op.state).toBe('succeeded');
      // The first step's row statement moved the operation to running, and the move was announced to its waiters and
      // to its deployment's stream.
      const first = await h.db.prisma.deploymentStep.findFirstOrThrow({ where: { ownerId: run.deploymentId, position: 0 } });
      expect(op.startedAt).not.toBeNull();
      expect(op.startedAt!.getTime()).toBe(first.startedAt!.getTime());
      expect(runningAnnounced.filter((c) => c.endsWith(`:events:${run.operationId}`) || c.endsWith(`:events:${run.deploymentId}`))).toHaveLength(2);
    }
    const histogram = (items: string[]) =>
      Object.entries(items.reduce<Record<string, number>>((acc, s) => ((acc[s] = (acc[s] ?? 0) + 1), acc), {}))
        .sort((a, b) => b[1] - a[1])
        .map(([s, n]) => `  ${(n / DEPLOYS).toFixed(1)} × ${s.slice(0, 160)}`)
        .join('\n');
    const perDeploy = { statements: statements.length / DEPLOYS, redisCommands: commands.length / DEPLOYS, commandsInScripts: scriptCommands.length / DEPLOYS, idleWaits: idleWaits / DEPLOYS };
    console.log(`per deploy: ${perDeploy.statements} statements, ${perDeploy.redisCommands} Redis commands sent (${perDeploy.commandsInScripts} more run by their scripts; ${perDeploy.idleWaits} idle BZPOPMIN not counted)\nstatements:\n${histogram(statements)}\nRedis commands:\n${histogram(commands)}`);
    // Each step job with a child read its child's outputs once (it read its failed children first, then the values),
    // the first step its empty children too, and the root its failed children: ten per deploy. Now each takes the
    // outputs its children handed on in this process, and the root knows its child completed: none.
    expect(commands.filter((c) => c === 'hgetall')).toEqual([]);
    // A deploy's step and status changes go out together within the coalescing delay, not one PUBLISH each.
    expect(commands.filter((c) => c === 'publish').length / DEPLOYS).toBeLessThanOrEqual(MAX_PUBLISHES_PER_DEPLOY);
    // A step's journal lines go out in one RPUSH, not one script call per line.
    expect(commands.filter((c) => c === ADD_LOG)).toEqual([]);
    // An operation's end returns what its duration needs: no read of the row after the update.
    expect(statements.filter((s) => s.startsWith('SELECT "public"."Operation"."id", "public"."Operation"."createdAt", "public"."Operation"."finishedAt" FROM'))).toEqual([]);
    // The operation moves to running in the first step's row statement, not in one of its own.
    expect(statements.filter((s) => s.startsWith('UPDATE "public"."Operation" SET "state" = CAST($1::text AS "public"."OperationState"), "startedAt"'))).toEqual([]);
    // A deploy's outcome finds the release it started by its deployment, which its job data names: no read of its operation.
    expect(statements.filter((s) => s.startsWith('SELECT "public"."Operation"."id", "public"."Operation"."deploymentId" FROM'))).toEqual([]);
    // What cannot change during a deploy is read once and handed on: no step reads the workspace, and none reads the
    // whole deployment row (create-in-krane gets it back from its status move; it was read by six steps, each `include`
    // one statement more). It was read by fetch-metadata (one statement with joins, once per deploy); now the request
    // reads it in the statement that inserts the deployment and hands it in the job data, so nothing reads it again.
    expect(statements.filter((s) => s.startsWith('SELECT "public"."Workspace".'))).toEqual([]);
    expect(statements.filter((s) => s.startsWith('SELECT "public"."Deployment"."id", "public"."Deployment"."projectId", "public"."Deployment"."environmentId", "public"."Deployment"."image",'))).toEqual([]);
    // A cancellable step's first run checks for cancellation inside the statement that records its start: no read of
    // its own (six per deploy before; a poll-instances run after its first, under load, still reads).
    expect(statements.filter((s) => s.startsWith('SELECT "public"."Deployment"."id", "public"."Deployment"."cancelRequestedAt"')).length / DEPLOYS).toBeLessThanOrEqual(1);
    // The request hands the engine the operation row it inserted and the subject of its jobs (the project and the
    // environment it read): the enqueue reads neither the operation nor the deployment, project and environment again.
    expect(statements.filter((s) => s.startsWith('SELECT "public"."Operation"."id", "public"."Operation"."kind"'))).toEqual([]);
    expect(statements.filter((s) => s.startsWith('SELECT "public"."Deployment"."id", "public"."Deployment"."projectId", "public"."Deployment"."environmentId" FROM'))).toEqual([]);
    expect(statements.filter((s) => s.startsWith('SELECT "public"."Environment"."id", "public"."Environment"."slug" FROM'))).toEqual([]);
    // The request is one statement (the key's operation, the project, the environment and both inserts): no read of
    // its own for the project, no transaction of its own; and it hands fetch-metadata the facts it read, so the only
    // BEGIN/COMMIT per deploy is the routing transaction's.
    expect(statements.filter((s) => s.startsWith('SELECT "public"."Project"."id", "public"."Project"."workspaceId"'))).toEqual([]);
    expect(statements.filter((s) => s.startsWith('INSERT INTO "public"."Deployment"'))).toEqual([]);
    expect(statements.filter((s) => s === 'BEGIN')).toHaveLength(DEPLOYS);
    expect(statements.filter((s) => s.startsWith('SELECT d."projectId", d."environmentId"'))).toEqual([]);
    // Inside the routing transaction, what the decision reads (routes, release, policy, who asked, the live
    // deployment) rides in the replay check: no Prisma read of any of them, and the policy is never read twice.
    expect(statements.filter((s) => s.startsWith('SELECT "public"."IngressRoute".'))).toEqual([]);
    expect(statements.filter((s) => s.startsWith('SELECT "public"."ReleasePolicy".'))).toEqual([]);
    expect(statements.filter((s) => s.startsWith('SELECT "public"."Release".'))).toEqual([]);
    expect(statements.filter((s) => s.startsWith('SELECT "public"."Operation"."id", "public"."Operation"."requestedBy"'))).toEqual([]);
    expect(statements.filter((s) => s.startsWith('SELECT "public"."Deployment"."id", "public"."Deployment"."status"'))).toEqual([]);
    // The deploy's new routes are created in the statement that moves its routes: no INSERT of their own.
    expect(statements.filter((s) => s.startsWith('INSERT INTO "public"."IngressRoute"'))).toEqual([]);
    // build-routes, update-live and the root's outcome read the project (pin, live pointer) in their one statement each.
    expect(statements.filter((s) => s.startsWith('SELECT "public"."Project".'))).toEqual([]);
    expect(statements.filter((s) => s.startsWith('SELECT "public"."Operation"."id", "public"."Operation"."state"'))).toEqual([]);
    // A status move is one raw statement (set-building, scrape-openapi, set-ready): only create-in-krane's, which needs
    // the row back, goes through Prisma's model (four did before).
    expect(statements.filter((s) => s.startsWith('UPDATE "public"."Deployment" SET "status"')).length / DEPLOYS).toBeLessThanOrEqual(1);
    // A step's success is one raw statement, not a Prisma model update (about twice the CPU per statement).
    expect(statements.filter((s) => s.startsWith('UPDATE "public"."DeploymentStep" SET "status"'))).toEqual([]);
    expect(perDeploy.statements).toBeLessThanOrEqual(MAX_STATEMENTS_PER_DEPLOY);
    expect(perDeploy.redisCommands).toBeLessThanOrEqual(MAX_REDIS_COMMANDS_PER_DEPLOY);
  });
});
