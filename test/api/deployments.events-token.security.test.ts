import { sign } from 'hono/jwt';
import { EVENT_STREAM_AUDIENCE } from '../../src/auth/event-stream-token';
import { useApiHarness } from './support/use-api-harness';
import { createProject, seedDeployment } from './support/deployments';

describe('POST /v1/deployments/:id/events/token and the token on the stream (security)', () => {
  const { h, acme, globex } = useApiHarness(['acme', 'globex']);
  let acmeDeployment: string;
  let acmeOther: string;
  let globexDeployment: string;
  beforeAll(async () => {
    const shop = (await createProject(h, acme.admin, 'shop')).id;
    acmeDeployment = (await seedDeployment(h.db.prisma, { projectId: shop, status: 'ready' })).id;
    acmeOther = (await seedDeployment(h.db.prisma, { projectId: shop, status: 'ready' })).id;
    globexDeployment = (await seedDeployment(h.db.prisma, { projectId: (await createProject(h, globex.admin, 'secret')).id, status: 'ready' })).id;
  });

  const mint = async (id = acmeDeployment, key = acme.viewer) => (await h.call('POST', `/v1/deployments/${id}/events/token`, { key })).body.token as string;

  it('answers 401 without a key, 403 to the root key, 404 for another workspace\'s deployment', async () => {
    expect((await h.call('POST', `/v1/deployments/${acmeDeployment}/events/token`)).status).toBe(401);
    expect((await h.call('POST', `/v1/deployments/${acmeDeployment}/events/token`, { key: h.rootKey })).status).toBe(403);
    const foreign = await h.call('POST', `/v1/deployments/${globexDeployment}/events/token`, { key: acme.admin });
    expect(foreign.status).toBe(404);
    expect(foreign.text).not.toContain('token');
  });

  it("answers 403 to a valid token on another deployment's stream, in its workspace or another", async () => {
    const token = await mint();
    for (const other of [acmeOther, globexDeployment]) {
      const res = await h.call('GET', `/v1/deployments/${other}/events?token=${encodeURIComponent(token)}`);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain("token is for another deployment's events");
      expect(res.text).not.toContain('event:');
    }
  });

  it('is refused (401) on every other route, even of the same deployment', async () => {
    const token = await mint();
    const q = `token=${encodeURIComponent(token)}`;
    const attempts: [string, string][] = [
      ['GET', `/v1/deployments/${acmeDeployment}?${q}`],
      ['GET', `/v1/deployments?${q}`],
      ['GET', `/v1/deployments/${acmeDeployment}/openapi?${q}`],
      ['POST', `/v1/deployments/${acmeDeployment}/events/token?${q}`],
      ['POST', `/v1/deployments/${acmeDeployment}/cancel?${q}`],
      ['GET', `/v1/projects?${q}`],
      ['GET', `/v1/keys?${q}`],
      ['GET', `/v1/deployments/${acmeDeployment}/events/?${q}`],
    ];
    for (const [method, path] of attempts) {
      const res = await h.call(method, path);
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 401 });
    }
    // Nor is it a bearer key, anywhere.
    for (const path of [`/v1/deployments/${acmeDeployment}/events`, `/v1/deployments/${acmeDeployment}`]) {
      expect((await h.call('GET', path, { key: token })).status).toBe(401);
    }
  });

  it('an API key is not a token, and neither is a token without the audience or with alg none', async () => {
    const open = (token: string) => h.call('GET', `/v1/deployments/${acmeDeployment}/events?token=${encodeURIComponent(token)}`);
    expect((await open(acme.admin)).status).toBe(401);
    const exp = Math.floor(Date.now() / 1000) + 300;
    const claims = { sub: acmeDeployment, wid: acme.workspaceId, kid: 'key_x', exp };
    const noAudience = await sign(claims, 'guessed-secret', 'HS256');
    expect((await open(noAudience)).status).toBe(401);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    expect((await open(`${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, aud: EVENT_STREAM_AUDIENCE })}.`)).status).toBe(401);
  });

  it('opens the stream when an admin minted it, and no other method on that path', async () => {
    const token = await mint(acmeDeployment, acme.admin);
    const res = await h.call('GET', `/v1/deployments/${acmeDeployment}/events?token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('event: status');
    // Another method on the stream's path is no route (405 before anything reads the token).
    expect((await h.call('POST', `/v1/deployments/${acmeDeployment}/events?token=${encodeURIComponent(token)}`)).status).toBe(405);
  });
});
