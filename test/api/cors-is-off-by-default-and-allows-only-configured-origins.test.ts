import { loadConfig } from '../../src/config';
import { ApiHarness, startApiHarness, WorkspaceKeys } from './support/api-harness';
import { useApiHarness } from './support/use-api-harness';

describe('CORS', () => {
  describe('by default', () => {
    const { h, acme } = useApiHarness(['acme']);

    it('sends no CORS header, to a preflight or a request from any origin', async () => {
      const preflight = await h.call('OPTIONS', '/v1/projects', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      const res = await h.call('GET', '/v1/projects', { key: acme.viewer, headers: { origin: 'https://evil.example' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('with CORS_ALLOWED_ORIGINS', () => {
    let h: ApiHarness;
    let acme: WorkspaceKeys;
    beforeAll(async () => {
      h = await startApiHarness({ env: { CORS_ALLOWED_ORIGINS: 'https://console.acme.dev, http://localhost:5173' } });
      acme = await h.workspace('acme');
    });
    afterAll(async () => {
      await h.close();
    });

    it('answers a preflight from an allowed origin before any key is asked for', async () => {
      const res = await h.call('OPTIONS', '/v1/deployments', {
        headers: { origin: 'https://console.acme.dev', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, idempotency-key' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://console.acme.dev');
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    });

    it('lets an allowed origin read the answer and its documented headers', async () => {
      const res = await h.call('POST', '/v1/projects', { key: acme.admin, body: { slug: 'shop', name: 'Shop' }, headers: { origin: 'http://localhost:5173' } });
      expect(res.status).toBe(201);
      expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      const exposed = res.headers.get('access-control-expose-headers')!.toLowerCase();
      for (const name of ['location', 'x-request-id', 'ratelimit', 'ratelimit-policy', 'retry-after']) expect(exposed).toContain(name);
    });

    it('gives another origin nothing', async () => {
      const preflight = await h.call('OPTIONS', '/v1/projects', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      const res = await h.call('GET', '/v1/projects', { key: acme.viewer, headers: { origin: 'https://evil.example' } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  it('refuses a malformed CORS_ALLOWED_ORIGINS at start, naming it', () => {
    expect(() => loadConfig({ CORS_ALLOWED_ORIGINS: 'https://ok.example,javascript:alert(1)' })).toThrow(/CORS_ALLOWED_ORIGINS/);
    expect(() => loadConfig({ CORS_ALLOWED_ORIGINS: 'https://app.example/path' })).toThrow(/CORS_ALLOWED_ORIGINS/);
    expect(loadConfig({ CORS_ALLOWED_ORIGINS: '*' }).CORS_ALLOWED_ORIGINS).toEqual(['*']);
    expect(loadConfig({}).CORS_ALLOWED_ORIGINS).toEqual([]);
  });
});
