import type { EngineHarness } from '../support/engine-harness';
import { ApiHarness, startApiHarness, startApiHarnessWithEngine, WorkspaceKeys } from './support/api-harness';
import { createProject } from './support/deployments';
import { parseSse, readSseUntil, SseEvent } from './support/sse';

/**
 * A client reads part of a running deploy's events, loses its connection mid-deploy, and reconnects with the last id
 * it saw — to another API process (another app, its own watcher, same database), as behind a load balancer. What it
 * got over both connections must be exactly the deployment's event log: nothing lost, nothing repeated, ids 1, 2, 3 …
 */
describe('GET /v1/deployments/:id/events resumes after a dropped connection', () => {
  let h: ApiHarness & { engine: EngineHarness };
  let other: ApiHarness;
  let acme: WorkspaceKeys;
  beforeAll(async () => {
    h = await startApiHarnessWithEngine({ settings: { pollDeadlineMs: 20_000 } });
    other = await startApiHarness({ db: h.db });
    acme = await h.workspace('acme');
    await createProject(h, acme.admin, 'shop');
  });
  afterAll(async () => {
    await other?.close();
    await h?.close();
  });

  const stream = (app: ApiHarness, deploymentId: string, headers: Record<string, string> = {}, query = '') =>
    app.app.request(`/v1/deployments/${deploymentId}/events${query}`, { headers: { authorization: `Bearer ${acme.viewer}`, ...headers } });
  const ids = (events: SseEvent[]) => events.map((e) => Number(e.id));

  it('with Last-Event-ID, the two connections together are the full sequence, in order, without a repeat', async () => {
    const created = await h.call('POST', '/v1/deployments', {
      key: acme.deployer,
      body: { projectId: 'shop', image: 'file:examples/hello-api', runtime: { env: { VERSION: 'resume' } } },
    });
    expect(created.status).toBe(202);
    const { deploymentId, operationId } = created.body;

    // Connection 1: read until a step is seen running, then drop the connection.
    const first = await readSseUntil(await stream(h, deploymentId), (r) => r.events.some((e) => e.event === 'step' && e.data.status === 'running'));
    expect(first.ended).toBe(false);
    expect(first.retry).toEqual([3000]);
    const op = await h.db.prisma.operation.findUniqueOrThrow({ where: { id: operationId } });
    // Dropped mid-deploy: the deploy is still going, and the terminal event was not among those read.
    expect(['queued', 'running']).toContain(op.state);
    expect(first.events.some((e) => e.data.terminal)).toBe(false);
    const lastSeen = first.events[first.events.length - 1].id!;

    // Connection 2, to another API process, resuming after the last event seen: runs until the terminal event.
    const second = await readSseUntil(await stream(other, deploymentId, { 'last-event-id': lastSeen }), () => false);
    expect(second.ended).toBe(true);
    expect(second.events.length).toBeGreaterThan(0);
    const last = second.events[second.events.length - 1];
    expect(last).toMatchObject({ event: 'status', data: { status: 'ready', terminal: true } });

    const union = [...first.events, ...second.events];
    // Strictly increasing, no gap, no repeat.
    expect(ids(union)).toEqual(union.map((_e, i) => i + 1));
    // And the very same events a fresh connection replays from the log once the deploy is over.
    const full = parseSse((await h.call('GET', `/v1/deployments/${deploymentId}/events`, { key: acme.viewer })).text);
    expect(union).toEqual(full);
    console.log(`resume: ${first.events.length} events before the drop (last id ${lastSeen}), ${second.events.length} after; ${full.length} in the log`);

    // A client that cannot set headers resumes the same way with ?lastEventId=; the header wins over it when both are sent.
    const cut = Math.floor(full.length / 2);
    const byQuery = await readSseUntil(await stream(other, deploymentId, {}, `?lastEventId=${cut}`), () => false);
    expect(byQuery.events).toEqual(full.slice(cut));
    const both = await readSseUntil(await stream(h, deploymentId, { 'last-event-id': String(cut + 1) }, `?lastEventId=${cut}`), () => false);
    expect(both.events).toEqual(full.slice(cut + 1));
  });
});
