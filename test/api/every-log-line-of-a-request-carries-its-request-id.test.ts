import { startApiHarness, WorkspaceKeys } from './support/api-harness';
import { createProject } from './support/deployments';
import { createLogger } from '../../src/logger';
import { useApiHarness } from './support/use-api-harness';

const HELLO_API = 'file:examples/hello-api';

interface Line {
  level: string;
  msg: string;
  requestId?: string;
  [field: string]: unknown;
}

describe('request ids in logs, the access log and the operation', () => {
  const { h } = useApiHarness([], { start: () => startApiHarness({ logger: createLogger('debug', { service: 'api-test' }, (line) => lines.push(JSON.parse(line))) }) });
  let acme: WorkspaceKeys;
  const lines: Line[] = [];
  const linesOf = (requestId: string) => lines.filter((l) => l.requestId === requestId);

  beforeAll(async () => {
    h.app.get('/v1/test/boom', () => {
      throw new Error('kaboom');
    });
    acme = await h.workspace('acme');
    await createProject(h, acme.admin, 'shop');
  });

  it('puts the caller\'s x-request-id on every line the request logs, on the operation it creates, and answers it back', async () => {
    const res = await h.call('POST', '/v1/deployments', {
      key: acme.deployer,
      headers: { 'x-request-id': 'ci-run-77-step-3' },
      body: { projectId: 'shop', image: HELLO_API, git: { branch: 'main' } },
    });
    expect(res.status).toBe(202);
    const id = 'ci-run-77-step-3';
    expect(res.headers.get('x-request-id')).toBe(id);
    const mine = linesOf(id);
    expect(mine.map((l) => l.msg)).toEqual(['deploy requested', 'request']);
    expect(mine[0]).toMatchObject({ level: 'info', service: 'api-test', deploymentId: res.body.deploymentId, operationId: res.body.operationId });

    const operation = await h.db.prisma.operation.findUniqueOrThrow({ where: { id: res.body.operationId } });
    expect(operation.requestId).toBe(id);
    const shown = await h.call('GET', `/v1/operations/${res.body.operationId}`, { key: acme.viewer });
    expect(shown.body.requestId).toBe(id);
  });

  it('writes one access line per request at info: method, path, route, status, durationMs, the caller\'s key id', async () => {
    const res = await h.call('GET', '/v1/projects/shop', { key: acme.viewer });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id')!;
    expect(id).toMatch(/^req_[0-9a-z]{26}$/);
    const access = linesOf(id).filter((l) => l.msg === 'request');
    expect(access).toHaveLength(1);
    const viewer = await h.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: acme.workspaceId, role: 'viewer' } });
    expect(access[0]).toMatchObject({ level: 'info', method: 'GET', path: '/v1/projects/shop', route: '/v1/projects/:id', status: 200, apiKeyId: viewer.id });
    expect(typeof access[0].durationMs).toBe('number');
  });

  it('never logs the query string, where a secret may travel', async () => {
    const res = await h.call('GET', '/v1/projects?limit=5&token=s3cr3t-in-query', { key: acme.viewer });
    const id = res.headers.get('x-request-id')!;
    const access = linesOf(id).find((l) => l.msg === 'request')!;
    expect(access.path).toBe('/v1/projects');
    expect(JSON.stringify(lines)).not.toContain('s3cr3t-in-query');
  });

  it('logs an unexpected error and its access line (status 500, at warn) under the request id given in the error body', async () => {
    const res = await h.call('GET', '/v1/test/boom', { key: acme.viewer });
    expect(res.status).toBe(500);
    const id = res.body.error.requestId;
    expect(res.headers.get('x-request-id')).toBe(id);
    const mine = linesOf(id);
    expect(mine.map((l) => [l.level, l.msg])).toEqual([
      ['error', 'unexpected error in request'],
      ['warn', 'request'],
    ]);
    expect(String(mine[0].error)).toContain('kaboom');
  });

  it('replaces a request id that is not a plain token of at most 128 characters, in the answer and the logs', async () => {
    for (const bad of ['<script>alert(1)</script>', 'a'.repeat(129), 'has space', 'path/like', 'quote"d']) {
      const res = await h.call('GET', '/healthz', { headers: { 'x-request-id': bad } });
      const id = res.headers.get('x-request-id')!;
      expect(id).toMatch(/^req_[0-9a-z]{26}$/);
      expect(linesOf(id)).toHaveLength(1);
    }
    const longest = 'b'.repeat(128);
    expect((await h.call('GET', '/healthz', { headers: { 'x-request-id': longest } })).headers.get('x-request-id')).toBe(longest);
  });

  it('logs probes, /metrics and the dashboard at debug, everything else at info', async () => {
    const levelOf = async (path: string) => {
      const res = await h.call('GET', path);
      return linesOf(res.headers.get('x-request-id')!).find((l) => l.msg === 'request')!.level;
    };
    expect(await levelOf('/metrics')).toBe('debug');
    expect(await levelOf('/healthz')).toBe('debug');
    expect(await levelOf('/admin/queues')).toBe('debug');
    expect(await levelOf('/openapi.json')).toBe('info');
    expect(await levelOf('/no/such/path')).toBe('info');
  });
});
