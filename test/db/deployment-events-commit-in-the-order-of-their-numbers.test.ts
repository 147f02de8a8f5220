import { Client } from 'pg';
import { appendTerminalStatus, readEventsAfter } from '../../src/events/deployment-event-log';
import { newId } from '../../src/ids';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * The property Last-Event-ID rests on: a deployment's events are numbered under its row's lock, in the writer's own
 * transaction, so a later number can never become visible before an earlier one. Otherwise a reader could see N+1,
 * resume after it, and never see N.
 */
describe('deployment events commit in the order of their numbers', () => {
  let db: TestDatabase;
  let deploymentId: string;
  const clients: Client[] = [];
  const client = async () => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    clients.push(c);
    return c;
  };
  const seqs = async () => (await readEventsAfter(db.prisma, deploymentId, 0)).map((e) => e.seq);
  const step = (name: string, position: number) => ({ id: newId('stp'), ownerId: deploymentId, name, position });

  beforeAll(async () => {
    db = await createTestDatabase();
    const ws = await db.prisma.workspace.create({ data: { id: newId('ws'), slug: 'acme', name: 'acme' } });
    const project = await db.prisma.project.create({ data: { id: newId('prj'), workspaceId: ws.id, slug: 'shop', name: 'shop' } });
    const env = await db.prisma.environment.create({ data: { id: newId('env'), projectId: project.id, slug: 'production' } });
    deploymentId = (await db.prisma.deployment.create({ data: { id: newId('dep'), projectId: project.id, environmentId: env.id, image: 'file:x' } })).id;
    await db.prisma.deploymentStep.createMany({ data: [step('a', 0), step('b', 1)] });
  });
  afterAll(async () => {
    for (const c of clients) await c.end();
    await db?.drop();
  });

  it('logs the creation, each step row, and nothing for writes that change nothing shown or rows of operations', async () => {
    const events = await readEventsAfter(db.prisma, deploymentId, 0);
    expect(events.map((e) => [e.seq, e.type, e.data.status, e.data.name ?? null])).toEqual([
      [1, 'status', 'pending', null],
      [2, 'step', 'pending', 'a'],
      [3, 'step', 'pending', 'b'],
    ]);
    // updatedAt only, and an operation's own step rows: no event.
    await db.prisma.deploymentStep.update({ where: { ownerId_name: { ownerId: deploymentId, name: 'a' } }, data: { updatedAt: new Date() } });
    await db.prisma.deploymentStep.create({ data: { id: newId('stp'), ownerId: newId('op'), name: 'a', position: 0 } });
    await db.prisma.deployment.update({ where: { id: deploymentId }, data: { cancelRequestedAt: null, image: 'file:y' } });
    expect(await seqs()).toEqual([1, 2, 3]);
    expect((await db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } })).eventSeq).toBe(3);
  });

  it('a second writer waits for the first to commit, so no reader ever sees a later number without the earlier', async () => {
    const [first, second] = [await client(), await client()];
    await first.query('BEGIN');
    await first.query(`UPDATE "DeploymentStep" SET "status" = 'running' WHERE "ownerId" = $1 AND "name" = 'a'`, [deploymentId]);
    let secondDone = false;
    const secondWrite = second
      .query(`UPDATE "DeploymentStep" SET "status" = 'running' WHERE "ownerId" = $1 AND "name" = 'b'`, [deploymentId])
      .then(() => (secondDone = true));
    await new Promise((r) => setTimeout(r, 300));
    // Neither is visible, and the second has not even taken a number: it waits on the first's lock.
    expect(secondDone).toBe(false);
    expect(await seqs()).toEqual([1, 2, 3]);
    await first.query('COMMIT');
    await secondWrite;
    const events = await readEventsAfter(db.prisma, deploymentId, 3);
    expect(events.map((e) => [e.seq, e.data.name])).toEqual([
      [4, 'a'],
      [5, 'b'],
    ]);
  });

  it('many concurrent writers: numbers 1..n without a gap, and a polling reader never sees one either', async () => {
    const writers = await Promise.all([client(), client(), client(), client()]);
    let cursor = (await seqs()).at(-1)!;
    let stop = false;
    const gaps: string[] = [];
    const reader = (async () => {
      while (!stop) {
        const batch = await readEventsAfter(db.prisma, deploymentId, cursor);
        batch.forEach((e, i) => {
          if (e.seq !== cursor + 1 + i) gaps.push(`after ${cursor} read ${batch.map((b) => b.seq).join(',')}`);
        });
        if (batch.length) cursor = batch[batch.length - 1].seq;
      }
    })();
    await Promise.all(
      writers.map(async (w, i) => {
        for (let n = 0; n < 25; n++) {
          await w.query(`UPDATE "DeploymentStep" SET "attempts" = "attempts" + 1, "output" = $2 WHERE "ownerId" = $1 AND "name" = $3`, [
            deploymentId,
            `writer ${i} write ${n}`,
            i % 2 ? 'a' : 'b',
          ]);
        }
      }),
    );
    stop = true;
    await reader;
    expect(gaps).toEqual([]);
    const all = await seqs();
    expect(all).toEqual(all.map((_s, i) => i + 1));
    expect(all.length).toBe(5 + 4 * 25);
  });

  it('the terminal status is appended once, after everything else, whoever races to append it', async () => {
    await db.prisma.deployment.update({ where: { id: deploymentId }, data: { status: 'ready' } });
    const { eventSeq } = await db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
    // A terminal status is not logged by the trigger: its event waits for the deploy to settle.
    expect((await seqs()).at(-1)).toBe(eventSeq);
    const results = await Promise.all([1, 2, 3, 4].map(() => appendTerminalStatus(db.prisma, deploymentId, eventSeq)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const [terminal] = await readEventsAfter(db.prisma, deploymentId, eventSeq);
    expect(terminal).toEqual({ seq: eventSeq + 1, type: 'status', data: { status: 'ready', statusReason: null, failedStep: null, terminal: true } });
    // A stale expectation (the log moved on) appends nothing.
    expect(await appendTerminalStatus(db.prisma, deploymentId, eventSeq)).toBe(false);
  });
});
