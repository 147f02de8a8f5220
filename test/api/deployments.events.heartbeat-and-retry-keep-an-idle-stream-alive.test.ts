import { loadConfig } from '../../src/config';
import { startApiHarness } from './support/api-harness';
import { useApiHarness } from './support/use-api-harness';
import { createProject, seedDeployment } from './support/deployments';
import { readSseUntil } from './support/sse';

describe('GET /v1/deployments/:id/events keeps an idle stream alive', () => {
  // A short heartbeat so the test need not wait 15 s; the default is pinned below.
  const { h, acme } = useApiHarness(['acme'], { start: () => startApiHarness({ env: { EVENTS_HEARTBEAT_MS: '150', EVENTS_RETRY_MS: '1234' } }) });
  let projectId: string;
  beforeAll(async () => {
    projectId = (await createProject(h, acme.admin, 'shop')).id;
  });

  it('opens with retry: and sends a `: heartbeat` comment every interval while nothing happens', async () => {
    const d = await seedDeployment(h.db.prisma, { projectId, status: 'deploying' });
    const res = await h.app.request(`/v1/deployments/${d.id}/events`, { headers: { authorization: `Bearer ${acme.viewer}` } });
    expect(res.status).toBe(200);
    const started = Date.now();
    const read = await readSseUntil(res, (r) => r.comments.length >= 4, 10_000);
    const elapsed = Date.now() - started;
    console.log(`4 heartbeats at a 150 ms interval arrived after ${elapsed} ms`);
    expect(read.retry).toEqual([1234]);
    expect(read.comments).toEqual(['heartbeat', 'heartbeat', 'heartbeat', 'heartbeat']);
    // Comments are not events: the client saw only the deployment's one event.
    expect(read.events).toEqual([{ event: 'status', id: '1', data: { status: 'deploying', statusReason: null, failedStep: null, terminal: false } }]);
    // Not sent in a burst: four intervals passed (a loose lower bound; no upper bound on a loaded machine).
    expect(elapsed).toBeGreaterThanOrEqual(4 * 150 - 50);
  });

  it('defaults to a 15 s heartbeat and a 3 s retry', () => {
    const config = loadConfig({});
    expect(config.EVENTS_HEARTBEAT_MS).toBe(15_000);
    expect(config.EVENTS_RETRY_MS).toBe(3_000);
    expect(config.EVENTS_TOKEN_TTL_SECONDS).toBe(300);
  });
});
