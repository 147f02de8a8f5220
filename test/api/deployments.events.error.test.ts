import { createApiApp } from '../../src/api/app';
import type { Db } from '../../src/db/prisma';
import { redisStateEvents } from '../../src/engine/state-events';
import { DEFAULT_FALLBACK_MS } from '../../src/events/operation-watcher';
import { silentLogger } from '../../src/logger';
import { eventually } from '../support/http-get';
import { createProject, seedDeployment } from './support/deployments';
import { errorFields } from './support/api-harness';
import { parseSse } from './support/sse';
import { useApiHarness } from './support/use-api-harness';

describe('GET /v1/deployments/:id/events (edge cases)', () => {
  const { h, acme } = useApiHarness(['acme']);
  let projectId: string;
  beforeAll(async () => {
    projectId = (await createProject(h, acme.admin, 'shop')).id;
  });

  it('answers 404 in the JSON error shape, not a stream, for a deployment that does not exist', async () => {
    const res = await h.call('GET', '/v1/deployments/dep_00000000000000000000000000/events', { key: acme.viewer });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.body.error.code).toBe('not_found');
  });

  it('closes with the terminal status for a cancelled deployment that never ran a step', async () => {
    const d = await seedDeployment(h.db.prisma, { projectId, status: 'cancelled' });
    const res = await h.call('GET', `/v1/deployments/${d.id}/events`, { key: acme.viewer });
    expect(parseSse(res.text)).toEqual([{ event: 'status', id: '1', data: { status: 'cancelled', statusReason: null, failedStep: null, terminal: true } }]);
  });

  it.each(['abc', '-1', '1.5', '0x10', '3 4', '', '99999999999'])('answers 400 naming Last-Event-ID for the malformed header %j, not a stream', async (value) => {
    const d = await seedDeployment(h.db.prisma, { projectId, status: 'deploying' });
    const res = await h.call('GET', `/v1/deployments/${d.id}/events`, { key: acme.viewer, headers: { 'last-event-id': value } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.body.error.code).toBe('validation_failed');
    expect(errorFields(res)).toEqual(['Last-Event-ID']);
    expect(res.body.error.message).toContain('Last-Event-ID: must be an event id');
  });

  it('answers 400 naming lastEventId for a malformed query parameter', async () => {
    const d = await seedDeployment(h.db.prisma, { projectId, status: 'deploying' });
    const res = await h.call('GET', `/v1/deployments/${d.id}/events?lastEventId=first`, { key: acme.viewer });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['lastEventId']);
  });

  it("answers 400 for an id after the deployment's last event (an id of another deployment), naming the field", async () => {
    const d = await seedDeployment(h.db.prisma, { projectId, status: 'deploying' });
    const res = await h.call('GET', `/v1/deployments/${d.id}/events`, { key: acme.viewer, headers: { 'last-event-id': '40' } });
    expect(res.status).toBe(400);
    expect(errorFields(res)).toEqual(['Last-Event-ID']);
    expect(res.body.error.message).toContain("after this deployment's last event (1)");
  });

  it('answers 204 (an EventSource stops reconnecting) when resuming after the terminal event', async () => {
    const d = await seedDeployment(h.db.prisma, { projectId, status: 'failed' });
    const events = parseSse((await h.call('GET', `/v1/deployments/${d.id}/events`, { key: acme.viewer })).text);
    expect(events).toEqual([{ event: 'status', id: '1', data: { status: 'failed', statusReason: null, failedStep: null, terminal: true } }]);
    const resumed = await h.call('GET', `/v1/deployments/${d.id}/events`, { key: acme.viewer, headers: { 'last-event-id': '1' } });
    expect(resumed.status).toBe(204);
    expect(resumed.text).toBe('');
  });

  it('stops reading the database once the client goes away', async () => {
    const d = await seedDeployment(h.db.prisma, { projectId, status: 'deploying' });
    let reads = 0;
    const counting = h.db.prisma.$extends({
      query: {
        deploymentEvent: {
          findMany({ args, query }) {
            reads++;
            return query(args);
          },
        },
      },
    }) as unknown as Db;
    const app = createApiApp({ ...h.ctx, prisma: counting });
    const res = await app.request(`/v1/deployments/${d.id}/events`, { headers: { authorization: `Bearer ${acme.viewer}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let opening = '';
    while (!opening.includes('event: status')) opening += new TextDecoder().decode((await reader.read()).value);
    // A step change announced for the deployment makes the stream read its event log again.
    // Announced as the engine announces a step row of the deployment's timeline (on the deployment's channel).
    const events = redisStateEvents(h.redis, h.ctx.config.QUEUE_PREFIX, silentLogger);
    const announce = () => events.publish([d.id], { type: 'step', ownerId: d.id, name: 'fetch-metadata', status: 'running' });
    announce();
    await eventually(async () => expect(reads).toBeGreaterThanOrEqual(2));
    await reader.cancel();
    // One read may be in flight when the client leaves; after that neither announcements nor the fallback read again.
    await new Promise((r) => setTimeout(r, 200));
    const after = reads;
    announce();
    await new Promise((r) => setTimeout(r, DEFAULT_FALLBACK_MS + 500));
    expect(reads).toBe(after);
  });
});
