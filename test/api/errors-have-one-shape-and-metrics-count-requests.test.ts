import { ApiError, ConflictError, httpStatusOf, NotFoundError, PreconditionFailedError, TerminalError, UnprocessableError } from '../../src/errors';
import { WorkspaceKeys } from './support/api-harness';
import { useApiHarness } from './support/use-api-harness';

// Terminal errors as the engine and the operations throw them, each with its catalogue code.
const TERMINAL: Record<string, () => TerminalError> = {
  stale_source: () => new ConflictError('stale_source', { expected: 'dep_a', live: 'dep_b' }, { details: { hint: 'x' } }),
  deployment_finished: () => new ConflictError('deployment_finished', { deploymentId: 'dep_a', status: 'ready' }, { details: { hint: 'x' } }),
  deployment_not_found: () => new PreconditionFailedError('deployment_not_found', { deploymentId: 'dep_a' }, { details: { hint: 'x' } }),
  nothing_to_undo: () => new ConflictError('nothing_to_undo', undefined, { details: { hint: 'x' } }),
  deployment_not_ready: () => new UnprocessableError('deployment_not_ready', { deploymentId: 'dep_a', status: 'failed', purpose: 'rollback' }, { details: { hint: 'x' } }),
};

describe('error shape, request ids and metrics', () => {
  const { h } = useApiHarness([]);
  let acme: WorkspaceKeys;
  beforeAll(async () => {
    h.app.post('/v1/test/terminal/:code', (c) => {
      throw TERMINAL[c.req.param('code')]?.() ?? new NotFoundError('code', c.req.param('code'));
    });
    h.app.get('/v1/test/api-error', () => {
      throw new ApiError('slug_taken', { scope: 'workspace', slug: 'teapot' }, { details: { spout: true } });
    });
    acme = await h.workspace('acme');
  });

  it('renders an ApiError as {error:{code,message,details,requestId}} with its status', async () => {
    const res = await h.call('GET', '/v1/test/api-error', { key: acme.admin, headers: { 'x-request-id': 'abc-123' } });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: { code: 'slug_taken', message: 'workspace slug "teapot" is already taken', details: { spout: true }, requestId: 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
  });

  it.each([
    ['stale_source', 409],
    ['deployment_finished', 409],
    ['deployment_not_found', 404],
    ['nothing_to_undo', 409],
    ['deployment_not_ready', 422],
  ] as const)('maps a TerminalError with code %s to %i', async (code, status) => {
    expect(httpStatusOf(code)).toBe(status);
    const res = await h.call('POST', `/v1/test/terminal/${code}`, { key: acme.admin, body: {} });
    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({ code, message: TERMINAL[code]().message, details: { hint: 'x' } });
  });

  it('generates a req_ request id when none is sent', async () => {
    const res = await h.call('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9a-z]{26}$/);
  });

  it('counts requests by route pattern and status in Prometheus text, with the uptime', async () => {
    await h.call('GET', '/v1/projects/one', { key: acme.admin });
    await h.call('GET', '/v1/projects/two', { key: acme.admin });
    await h.call('GET', '/no/such/route');
    const res = await h.call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toContain('deployflow_http_requests_total{method="GET",route="/v1/projects/:id",status="404"} 2');
    expect(res.text).toContain('deployflow_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(res.text).toContain('deployflow_http_requests_total{method="GET",route="/healthz",status="200"} 1');
    expect(res.text).toMatch(/^deployflow_process_uptime_seconds \d+(\.\d+)?$/m);
    expect(res.text).not.toContain('/v1/projects/one');
  });
});
