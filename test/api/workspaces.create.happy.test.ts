import { hashApiKey } from '../../src/auth/api-key';
import { useApiHarness } from './support/use-api-harness';

describe('POST /v1/workspaces (happy path)', () => {
  const { h } = useApiHarness([]);

  it('creates the workspace and returns its first admin key in plaintext, once', async () => {
    const res = await h.call('POST', '/v1/workspaces', { key: h.rootKey, body: { slug: 'acme', name: 'Acme Inc.' } });
    expect(res.status).toBe(201);
    expect(res.body.workspace).toMatchObject({ slug: 'acme', name: 'Acme Inc.' });
    expect(res.body.workspace.id).toMatch(/^ws_/);
    expect(new Date(res.body.workspace.createdAt).toISOString()).toBe(res.body.workspace.createdAt);
    expect(res.body.apiKey.key).toMatch(/^df_[0-9A-Za-z]{32}$/);
    expect(res.body.apiKey.prefix).toBe(res.body.apiKey.key.slice(0, 10));
    expect(res.body.apiKey.role).toBe('admin');

    const stored = await h.db.prisma.apiKey.findUniqueOrThrow({ where: { id: res.body.apiKey.id } });
    expect(stored).toMatchObject({ workspaceId: res.body.workspace.id, role: 'admin', hash: hashApiKey(res.body.apiKey.key), revokedAt: null });
  });

  it('hands out an admin key that works for the new workspace at once', async () => {
    const created = await h.call('POST', '/v1/workspaces', { key: h.rootKey, body: { slug: 'globex', name: 'Globex' } });
    const project = await h.call('POST', '/v1/projects', { key: created.body.apiKey.key, body: { slug: 'web', name: 'Web' } });
    expect(project.status).toBe(201);
    expect(project.body.workspaceId).toBe(created.body.workspace.id);
  });

  it('accepts the longest DNS label (63 characters) and single-character slugs', async () => {
    const long = 'a'.repeat(61) + '-b';
    expect(long).toHaveLength(63);
    expect((await h.call('POST', '/v1/workspaces', { key: h.rootKey, body: { slug: long, name: 'Long' } })).status).toBe(201);
    expect((await h.call('POST', '/v1/workspaces', { key: h.rootKey, body: { slug: 'x', name: 'X' } })).status).toBe(201);
  });

  it('answers with an x-request-id, echoing a sane one the caller sent', async () => {
    const res = await h.call('POST', '/v1/workspaces', { key: h.rootKey, body: { slug: 'initech', name: 'Initech' }, headers: { 'x-request-id': 'trace-42' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBe('trace-42');
  });
});
