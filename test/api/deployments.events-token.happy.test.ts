import { startApiHarness } from './support/api-harness';
import { useApiHarness } from './support/use-api-harness';
import { createProject, seedDeployment } from './support/deployments';
import { parseSseStream } from './support/sse';

describe('POST /v1/deployments/:id/events/token (happy path)', () => {
  const { h, acme } = useApiHarness(['acme']);
  let projectId: string;
  beforeAll(async () => {
    projectId = (await createProject(h, acme.admin, 'shop')).id;
  });

  it.each(['viewer', 'deployer', 'admin'] as const)('mints a token for a %s that opens the stream with no Authorization header', async (role) => {
    const d = await seedDeployment(h.db.prisma, { projectId, status: 'cancelled' });
    const before = Date.now();
    const minted = await h.call('POST', `/v1/deployments/${d.id}/events/token`, { key: acme[role] });
    const after = Date.now();
    expect(minted.status).toBe(200);
    expect(Object.keys(minted.body).sort()).toEqual(['expiresAt', 'token', 'url']);
    // Five minutes by default, in whole seconds from the second the token was minted in, which lies between
    // `before` and `after` (when the call crosses a second boundary, expiresAt is more than 300 s after `before`).
    const expiresAt = new Date(minted.body.expiresAt).getTime();
    expect(expiresAt % 1000).toBe(0);
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 300_000);
    expect(expiresAt).toBeLessThanOrEqual(Math.floor(after / 1000) * 1000 + 300_000);
    expect(minted.body.url).toBe(`http://localhost/v1/deployments/${d.id}/events?token=${encodeURIComponent(minted.body.token)}`);

    // Exactly what a browser EventSource does: GET the url, no Authorization header.
    const res = await h.app.request(minted.body.url, { headers: { accept: 'text/event-stream' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const stream = parseSseStream(await res.text());
    expect(stream.events).toEqual([{ event: 'status', id: '1', data: { status: 'cancelled', statusReason: null, failedStep: null, terminal: true } }]);
  });

  it('the url follows PUBLIC_API_URL when it is configured, and a token resumes with Last-Event-ID like a key', async () => {
    const other = await startApiHarness({ db: h.db, env: { PUBLIC_API_URL: 'https://deploy.example.com/' } });
    try {
      const d = await seedDeployment(h.db.prisma, { projectId, status: 'deploying' });
      await h.db.prisma.deployment.update({ where: { id: d.id }, data: { status: 'network' } });
      const minted = await other.call('POST', `/v1/deployments/${d.id}/events/token`, { key: acme.viewer });
      expect(minted.body.url).toBe(`https://deploy.example.com/v1/deployments/${d.id}/events?token=${encodeURIComponent(minted.body.token)}`);
      // Minted by one process, accepted by another (same database, so the same signing key).
      const res = await h.app.request(`/v1/deployments/${d.id}/events?token=${encodeURIComponent(minted.body.token)}`, { headers: { 'last-event-id': '1' } });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('"network"')) text += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      expect(parseSseStream(text).events.map((e) => e.id)).toEqual(['2']);
    } finally {
      await other.close();
    }
  });
});
