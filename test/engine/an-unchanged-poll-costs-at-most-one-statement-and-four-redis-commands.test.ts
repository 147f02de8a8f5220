import net from 'node:net';
import { DeployStep } from '../../flows/step-names';
import { InstantDriver } from '../../src/krane/drivers/instant-driver';
import { cancelDeployment } from '../../src/operations/cancel-deployment';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';
import { recordStatements } from '../support/statement-recorder';

/**
 * What one poll costs when it sees nothing new — the common case by far: a thousand deploys waiting on instances that
 * are not up yet poll a thousand times a second, on the cores a switch needs. Counted rather than timed: the
 * PostgreSQL statements sent and the Redis commands run under the test's prefix (MONITOR; a script counts once), over
 * a few seconds of polls of deploys whose instances stay pending, divided by the polls Krane was asked for.
 *
 * Counted here before the change: 2.5 statements per poll (the Instance rows rewritten, the step row's progress line
 * rewritten, and the cancellation check, batched across polls) and 7.7 Redis commands (besides the worker's fetch and
 * the step's read of its inputs: the step row's announcement, the job's progress, a log line, its state and its delay
 * as two commands). After: the cancellation check only (≤ 1 statement; batched, ~0.35) and ~3.7 commands (the fetch,
 * which BullMQ retries when it finds nothing, ~1.6; the inputs; the delay with the state in it; a log line every 10th
 * poll). CPU time of this process per poll, printed for the record: ~4.2–4.6 ms before, ~2.5–2.8 ms after. Then ~2.8
 * commands (3.8 before): a poll takes its inputs from what its child handed on in this process, not from Redis.
 */
const DEPLOYS = 10;
const MAX_STATEMENTS_PER_POLL = 1;
const MAX_REDIS_COMMANDS_PER_POLL = 3.5;

describe('a poll that sees nothing new', () => {
  let h: EngineHarness<InstantDriver>;
  let monitor: net.Socket | undefined;
  const recorder = recordStatements({ recording: false });
  const commands: { name: string; key: string }[] = [];
  let counting = false;
  const ids: string[] = [];
  let workspaceId: string;

  beforeAll(async () => {
    h = await startEngineHarness({ kraneDriver: new InstantDriver({ readiness: () => 'never-ready' }), settings: { pollIntervalMs: 100, pollDeadlineMs: 300_000 } });
    const prefix = h.prefix.replace(/[{}]/g, '');
    // MONITOR on a plain socket: each command the server runs arrives as one `+<time> [db addr] "cmd" "arg" …` line.
    const url = new URL(h.redisUrl);
    monitor = net.connect(Number(url.port || 6379), url.hostname);
    await new Promise<void>((resolve) => monitor!.once('connect', () => resolve()));
    let pending = '';
    monitor.setEncoding('utf8');
    monitor.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\r\n');
      pending = lines.pop()!;
      for (const line of lines) {
        // A script's own commands (`[0 lua]`) cost no round trip; a worker's blocking wait (BZPOPMIN) is idle time.
        if (!counting || !line.startsWith('+') || !line.includes(prefix) || /^\+\S+ \[\d+ lua\]/.test(line)) continue;
        const args = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
        const name = args[0].toLowerCase();
        if (name === 'bzpopmin') continue;
        // A script's first key says what it is about: the job's own hash for updateData / updateProgress / moveToDelayed.
        commands.push({ name: name === 'evalsha' ? `evalsha ${args[1].slice(0, 8)} (${args[2]} keys)` : name, key: name === 'evalsha' ? (args[3] ?? '') : (args[1] ?? '') });
      }
    });
    monitor.write('MONITOR\r\n');
  });
  afterAll(async () => {
    recorder.restore();
    monitor?.destroy();
    await h.close();
  });

  it(`costs at most ${MAX_STATEMENTS_PER_POLL} statement and ${MAX_REDIS_COMMANDS_PER_POLL} Redis commands, and writes no row`, async () => {
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    workspaceId = workspace.id;
    for (let i = 0; i < DEPLOYS; i++) ids.push((await h.deploy({ projectId: project.id, image: HELLO_API, runtime: { env: { VERSION: `v${i}` } } }, workspace.id)).deploymentId);
    const deadline = Date.now() + 30_000;
    while ((await h.db.prisma.deploymentStep.count({ where: { name: DeployStep.pollInstances, status: 'running', ownerId: { in: ids } } })) < DEPLOYS) {
      if (Date.now() > deadline) throw new Error('the deploys did not all reach poll-instances');
      await new Promise((r) => setTimeout(r, 100));
    }
    // Past the first polls, which record the instances and show the first progress line.
    await new Promise((r) => setTimeout(r, 1_000));
    const rowsBefore = await h.db.prisma.deploymentStep.findMany({ where: { name: DeployStep.pollInstances, ownerId: { in: ids } }, orderBy: { ownerId: 'asc' } });
    const driver = h.krane.driver;
    const gets = driver.getCalls;
    const cpu = process.cpuUsage();
    counting = true;
    recorder.recording = true;
    await new Promise((r) => setTimeout(r, 3_000));
    recorder.recording = false;
    counting = false;
    const used = process.cpuUsage(cpu);
    const polls = driver.getCalls - gets;

    const histogram = (items: string[]) =>
      Object.entries(items.reduce<Record<string, number>>((acc, s) => ((acc[s] = (acc[s] ?? 0) + 1), acc), {}))
        .sort((a, b) => b[1] - a[1])
        .map(([s, n]) => `  ${(n / polls).toFixed(2)} × ${s.slice(0, 160)}`)
        .join('\n');
    const perPoll = { statements: recorder.statements.length / polls, redisCommands: commands.length / polls, cpuMs: (used.user + used.system) / 1000 / polls };
    console.log(
      `${polls} unchanged polls: ${perPoll.statements.toFixed(2)} statements, ${perPoll.redisCommands.toFixed(2)} Redis commands, ${perPoll.cpuMs.toFixed(2)} ms CPU of this process (MONITOR's reading included) per poll\n` +
        `statements:\n${histogram(recorder.statements)}\nRedis commands:\n${histogram(commands.map((c) => c.name))}`,
    );
    expect(polls).toBeGreaterThanOrEqual(DEPLOYS * 3);
    // Nothing changed, so nothing is written: not the Instance rows, not the step row, and nothing is announced.
    expect(recorder.statements.filter((s) => /"Instance"|"DeploymentStep"/.test(s) && !s.startsWith('SELECT'))).toEqual([]);
    expect(commands.filter((c) => c.name === 'publish')).toEqual([]);
    // Its inputs are what its child step handed on when it completed in this process: no read of them per poll.
    expect(commands.filter((c) => c.name === 'hgetall')).toEqual([]);
    // The step's state goes with its delay (moveToDelayed's 11 keys), not in a command of its own on the job's hash.
    expect(commands.filter((c) => c.key.endsWith(`.${DeployStep.pollInstances}`) && !c.name.endsWith('(11 keys)'))).toEqual([]);
    expect(perPoll.statements).toBeLessThanOrEqual(MAX_STATEMENTS_PER_POLL);
    expect(perPoll.redisCommands).toBeLessThanOrEqual(MAX_REDIS_COMMANDS_PER_POLL);
    // And the rows still say what the first poll saw.
    const rowsAfter = await h.db.prisma.deploymentStep.findMany({ where: { name: DeployStep.pollInstances, ownerId: { in: ids } }, orderBy: { ownerId: 'asc' } });
    expect(rowsAfter.map((r) => [r.status, r.output])).toEqual(rowsBefore.map((r) => [r.status, r.output]));
    expect(rowsAfter.every((r) => /^poll \d+: 0\/1 running, 0 healthy$/.test(r.output ?? ''))).toBe(true);
  });

  it('still notices a cancellation at its next poll', async () => {
    const [deploymentId] = ids;
    const { operationId } = await cancelDeployment(h.db.prisma, { workspaceId, requestedBy: 'test' }, deploymentId);
    if (!operationId) throw new Error('the cancelled deploy has no operation');
    // Polls every 100 ms: the next one stops it (a few seconds of slack for a loaded machine, not a poll deadline).
    const op = await h.waitForOperation(operationId, 10_000);
    expect(op.state).toBe('cancelled');
    const step = await h.db.prisma.deploymentStep.findUniqueOrThrow({ where: { ownerId_name: { ownerId: deploymentId, name: DeployStep.pollInstances } } });
    expect(step.status).toBe('cancelled');
    // The others poll on.
    expect(await h.db.prisma.deploymentStep.count({ where: { name: DeployStep.pollInstances, status: 'running', ownerId: { in: ids.slice(1) } } })).toBe(DEPLOYS - 1);
  });
});
