import IORedis from 'ioredis';
import { DeployStep } from '../../flows/step-names';
import { EVENT_COALESCE_MS, eventChannel } from '../../src/engine/state-events';
import { DeploymentNotFoundError, type KraneDriver } from '../../src/krane/driver';
import type { KraneDeploymentSpec, KraneInstance } from '../../src/krane/types';
import { instancesRecord, mustRecordInstances, INSTANCES_REFRESH_MS } from '../../processors/poll-instances';
import { eventually } from '../support/http-get';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';

/** A Krane whose instances the test changes by hand: created pending at an address nothing listens on. */
class SteeredDriver implements KraneDriver {
  readonly instances = new Map<string, KraneInstance[]>();
  async create(spec: KraneDeploymentSpec) {
    if (this.instances.has(spec.deploymentId)) return { alreadyExisted: true };
    this.instances.set(spec.deploymentId, [{ id: `${spec.deploymentId}-0`, address: '127.0.0.1:9', status: 'pending' }]);
    return { alreadyExisted: false };
  }
  async get(namespace: string, deploymentId: string) {
    const instances = this.instances.get(deploymentId);
    if (!instances) throw new DeploymentNotFoundError(namespace, deploymentId);
    return instances.map((i) => ({ ...i }));
  }
  async delete(namespace: string, deploymentId: string) {
    if (!this.instances.delete(deploymentId)) throw new DeploymentNotFoundError(namespace, deploymentId);
  }
  async shutdown() {}
}

/**
 * A deploy waiting on its instances writes its Instance rows and its progress line (and announces the step row's
 * change to its event stream) when a poll sees something new, and not on the polls in between: those used to rewrite
 * both, and announce, on every poll.
 */
describe('a deploy that polls its instances', () => {
  let h: EngineHarness<SteeredDriver>;
  let subscriber: IORedis;
  const stepEvents: string[] = [];

  beforeAll(async () => {
    h = await startEngineHarness({ kraneDriver: new SteeredDriver(), settings: { pollIntervalMs: 100, pollDeadlineMs: 120_000 } });
    subscriber = new IORedis(h.redisUrl);
  });
  afterAll(async () => {
    subscriber.disconnect();
    await h.close();
  });

  const pollRow = (deploymentId: string) => h.db.prisma.deploymentStep.findUniqueOrThrow({ where: { ownerId_name: { ownerId: deploymentId, name: DeployStep.pollInstances } } });
  const instances = (deploymentId: string) => h.db.prisma.instance.findMany({ where: { deploymentId }, orderBy: { id: 'asc' } });
  const pollEvents = () => stepEvents.filter((e) => e.includes(`"name":"${DeployStep.pollInstances}"`));

  it('writes and announces what changed, and nothing on the polls in between', async () => {
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    const { deploymentId, operationId } = await h.deploy({ projectId: project.id, image: HELLO_API }, workspace.id);
    await subscriber.subscribe(eventChannel(h.prefix, deploymentId));
    subscriber.on('message', (_channel: string, message: string) => stepEvents.push(message));
    await eventually(async () => {
      if (!/^poll \d+: 0\/1 running, 0 healthy$/.test((await pollRow(deploymentId)).output ?? '')) throw new Error('no progress line yet');
    });
    const [pending] = await instances(deploymentId);
    expect(pending).toMatchObject({ id: `${deploymentId}-0`, status: 'pending' });
    const shown = (await pollRow(deploymentId)).output;

    // Ten polls or so that see the same: the rows stay as the first poll wrote them, and nothing is announced. (The
    // first poll's announcement may go out up to the coalescing delay after its row committed: counted from after it.)
    await new Promise((r) => setTimeout(r, EVENT_COALESCE_MS * 5));
    const eventsBefore = pollEvents().length;
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await pollRow(deploymentId)).output).toBe(shown);
    expect((await instances(deploymentId)).map((i) => [i.status, i.lastSeenAt.getTime()])).toEqual([['pending', pending.lastSeenAt.getTime()]]);
    expect(pollEvents().length).toBe(eventsBefore);

    // The instance runs (its health check still fails): the next poll records it, shows it and announces it.
    h.krane.driver.instances.get(deploymentId)![0].status = 'running';
    await eventually(async () => {
      if ((await pollRow(deploymentId)).output?.endsWith(': 1/1 running, 0 healthy') !== true) throw new Error('the change is not shown');
    });
    expect((await instances(deploymentId)).map((i) => i.status)).toEqual(['running']);
    await eventually(async () => {
      if (pollEvents().length <= eventsBefore) throw new Error('the change was not announced');
    });

    // Krane replaces it: the new instance is recorded and the one it no longer lists is stopped.
    h.krane.driver.instances.set(deploymentId, [{ id: `${deploymentId}-1`, address: '127.0.0.1:9', status: 'pending' }]);
    await eventually(async () => {
      const rows = (await instances(deploymentId)).map((i) => [i.id, i.status]);
      if (rows.length !== 2 || rows[0][1] !== 'stopped' || rows[1][1] !== 'pending') throw new Error(`instances: ${JSON.stringify(rows)}`);
    });
    await eventually(async () => {
      if ((await pollRow(deploymentId)).output?.endsWith(': 0/1 running, 0 healthy') !== true) throw new Error('the change is not shown');
    });
    expect(operationId).toBeTruthy();
  });

  it('writes the same instances again once their record is older than the refresh interval', () => {
    const record = instancesRecord([{ id: 'i-1', address: 'a:1', status: 'pending' }]);
    const now = 1_000_000;
    expect(mustRecordInstances(record, {}, now)).toBe(true);
    expect(mustRecordInstances(record, { recorded: record, recordedAt: now - 1_000 }, now)).toBe(false);
    expect(mustRecordInstances(record, { recorded: record, recordedAt: now - INSTANCES_REFRESH_MS }, now)).toBe(true);
    // The same instances in another order are the same record; a changed status is not.
    const two = [
      { id: 'i-1', address: 'a:1', status: 'pending' as const },
      { id: 'i-2', address: 'a:2', status: 'pending' as const },
    ];
    expect(instancesRecord(two)).toBe(instancesRecord([...two].reverse()));
    expect(mustRecordInstances(instancesRecord([{ ...two[0], status: 'running' }, two[1]]), { recorded: instancesRecord(two), recordedAt: now }, now)).toBe(true);
  });
});
