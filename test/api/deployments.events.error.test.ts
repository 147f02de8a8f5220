import { createApiApp } from '../../src/api/app';
import type { Db } from '../../src/db/prisma';
import { redisStateEvents } from '../../src/engine/state-events';
import { DEFAULT_FALLBACK_MS } from '../../src/events/operation-watcher';
import { silentLogger } from '../../src/logger';
import { eventually } from '../support/http-get';
import { createProject, seedDeployment } from './support/deployments';
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

  it('stops reading the database once the client goes away', async () => {
    const d = await seedDeployment(h.db.prisma, { projectId, status: 'deploying' });
    let reads = 0;
    const counting = h.db.prisma.$extends({
      query: {
        deploymentStep: {
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
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('event: status');
    // A step change announced for the deployment makes the stream read its steps again.
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
