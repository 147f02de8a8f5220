import { createApiKey } from '../../src/auth/api-key';
import { basicAuth } from './support/basic-auth';
import { createProject, seedDeployment, seedOperation } from './support/deployments';
import { useApiHarness } from './support/use-api-harness';

describe('bull-board at /admin/queues (happy path)', () => {
  const { h, acme } = useApiHarness(['acme']);
  let platformViewer: string;
  beforeAll(async () => {
    platformViewer = (await createApiKey(h.db.prisma, { workspaceId: null, role: 'viewer' })).key;
  });

  const queues = async (headers: Record<string, string>) => {
    const res = await h.call('GET', '/admin/queues/api/queues', { headers });
    expect(res.status).toBe(200);
    return res.body.queues as Array<{ name: string; readOnlyMode: boolean }>;
  };
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  it('serves the board page to the root key, by Bearer or by Basic auth, with its assets', async () => {
    for (const headers of [bearer(h.rootKey), basicAuth(h.rootKey)]) {
      const res = await h.call('GET', '/admin/queues', { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.text).toContain('<base href="/admin/queues/"');
      expect(res.text).toContain('<title>deployflow</title>');
    }
    const page = await h.call('GET', '/admin/queues', { headers: bearer(h.rootKey) });
    const css = /href="(static\/css\/[^"]+\.css)"/.exec(page.text)?.[1];
    expect(css).toBeDefined();
    const asset = await h.call('GET', `/admin/queues/${css}`, { headers: basicAuth(h.rootKey) });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/text\/css/);
  });

  it('registers the engine queues, the reconciler queue included, writable for the root key', async () => {
    for (const key of [h.rootKey]) {
      const list = await queues(bearer(key));
      expect(list.map((q) => q.name).sort()).toEqual(['operations', 'reconciler', 'routing', 'steps', 'switches']);
      expect(list.every((q) => q.readOnlyMode === false)).toBe(true);
    }
  });

  it('gives a platform viewer key a read-only board', async () => {
    for (const key of [platformViewer]) {
      const list = await queues(basicAuth(key));
      expect(list.map((q) => q.name).sort()).toEqual(['operations', 'reconciler', 'routing', 'steps', 'switches']);
      expect(list.every((q) => q.readOnlyMode === true)).toBe(true);
      const page = await h.call('GET', '/admin/queues', { headers: basicAuth(key) });
      expect(page.status).toBe(200);
      expect(page.text).toContain('deployflow (read-only)');
    }
  });

  it('renders an operation as one flow tree across the operations, steps and routing queues', async () => {
    const project = await createProject(h, acme.admin, 'shop');
    const deployment = await seedDeployment(h.db.prisma, { projectId: project.id, status: 'pending' });
    const op = await seedOperation(h.db.prisma, { projectId: project.id, kind: 'deploy', deploymentId: deployment.id });
    await h.ctx.operations.enqueue(op.id);
    const res = await h.call('GET', `/admin/queues/api/queues/operations/${op.id}/flow`, { headers: bearer(platformViewer) });
    expect(res.status).toBe(200);
    const queuesInTree = new Set<string>();
    const names: string[] = [];
    for (let node = res.body.flowRoot; node; node = node.children?.[0]) {
      queuesInTree.add(node.queueName);
      names.push(node.name);
    }
    // Names say what the operation acts on; each step's name comes first.
    expect(names[0]).toBe('deploy shop/production');
    expect(names[names.length - 1]).toBe('fetch-metadata · shop/production');
    expect([...queuesInTree].sort()).toEqual(['operations', 'routing', 'steps']);
  });

  it('lets the root key pause and resume a queue', async () => {
    const steps = h.queues.steps;
    const pause = await h.call('PUT', '/admin/queues/api/queues/steps/pause', { headers: bearer(h.rootKey) });
    expect(pause.status).toBeLessThan(300);
    expect(await steps.isPaused()).toBe(true);
    const resume = await h.call('PUT', '/admin/queues/api/queues/steps/resume', { headers: basicAuth(h.rootKey) });
    expect(resume.status).toBeLessThan(300);
    expect(await steps.isPaused()).toBe(false);
  });
});
