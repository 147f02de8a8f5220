// The API first: its schemas must be built after @hono/zod-openapi extended zod.
import { ApiHarness, startApiHarness, WorkspaceKeys } from '../api/support/api-harness';
import { ClientError, createServer, Server, Status } from 'nice-grpc';
import {
  ApiError,
  CancelledError,
  CodedError,
  ERROR_CATALOGUE,
  ErrorArgs,
  ErrorCode,
  httpStatusOf,
  isRetryableCode,
  MalformedJobError,
  OperationEndedError,
  publicMessage,
  RetryableCode,
  RetryableError,
  UnknownOperationKindError,
} from '../../src/errors';
import { DeploymentServiceDefinition } from '../../src/generated/proto/hydra/v1/deployment';
import { createHydraClient, HydraClient } from '../../src/grpc/client';
import { errorsAsStatus, grpcStatusOf, operationOutcomeError } from '../../src/grpc/status-mapping';
import { kraneCallError } from '../../src/krane/errors';
import { silentLogger } from '../../src/logger';
import { SAMPLE_PARAMS } from './error-catalogue-samples';

const CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
const RETRYABLE = CODES.filter(isRetryableCode);

const messageOf = <C extends ErrorCode>(code: C) => publicMessage(code, SAMPLE_PARAMS[code]);
const argsOf = <C extends ErrorCode>(code: C) => [SAMPLE_PARAMS[code]] as ErrorArgs<C>;
const apiError = <C extends ErrorCode>(code: C) => new ApiError(code, ...argsOf(code));
const retryableError = <C extends RetryableCode>(code: C) => new RetryableError(code, ...argsOf(code));

// The engine's own errors, as the engine throws them (src/engine/errors.ts): not deployflow's classes, catalogue codes.
const ENGINE_ERROR: Record<string, () => CodedError> = {
  cancelled: () => new CancelledError('deployment dep_a'),
  malformed_job: () => new MalformedJobError('op_a', 'deploymentId: Required'),
  unknown_operation_kind: () => new UnknownOperationKindError('teleport'),
};
const ENGINE_CODES = Object.keys(ENGINE_ERROR) as ErrorCode[];

describe('the error catalogue', () => {
  it.each(CODES)('%s has an HTTP error status, a gRPC status, a retryability and a public message', (code) => {
    const entry = ERROR_CATALOGUE[code];
    expect(entry.http).toBeGreaterThanOrEqual(400);
    expect(entry.http).toBeLessThan(600);
    expect(typeof Status[entry.grpc]).toBe('number');
    expect(Status[entry.grpc]).not.toBe(Status.OK);
    expect(typeof entry.retryable).toBe('boolean');
    expect(messageOf(code)).toMatch(/\S/);
  });

  it('splits Krane statuses into retryable and terminal as before: a passing condition is retried, anything else fails at once', () => {
    const retryable = Object.values(Status)
      .filter((s): s is Status => typeof s === 'number' && s !== Status.OK)
      .filter((s) => kraneCallError('GetDeployment', 'acme/dep_a', s, '').retryable)
      .map((s) => Status[s])
      .sort();
    expect(retryable).toEqual(['ABORTED', 'CANCELLED', 'DEADLINE_EXCEEDED', 'INTERNAL', 'RESOURCE_EXHAUSTED', 'UNAVAILABLE', 'UNKNOWN']);
  });
});

describe('every code travels with its status', () => {
  let h: ApiHarness;
  let acme: WorkspaceKeys;
  let grpc: Server;
  let client: HydraClient;
  beforeAll(async () => {
    h = await startApiHarness();
    h.app.get('/v1/test/throw/:how/:code', (c) => {
      const code = c.req.param('code') as ErrorCode;
      if (c.req.param('how') === 'retryable') throw retryableError(code as RetryableCode);
      if (c.req.param('how') === 'engine') throw ENGINE_ERROR[code]!();
      if (c.req.param('how') === 'ended') throw new OperationEndedError({ id: 'op_a', state: 'failed', errorCode: code, errorMessage: 'validate: stored message' });
      throw apiError(code);
    });
    acme = await h.workspace('acme');
    // A gRPC server with the real error middleware, whose Deploy throws what the deployment id names.
    grpc = createServer().use(errorsAsStatus(silentLogger));
    grpc.add(DeploymentServiceDefinition, {
      async deploy({ deploymentId }) {
        const [how, code] = deploymentId.split(':') as [string, ErrorCode];
        if (how === 'engine') throw ENGINE_ERROR[code]!();
        throw how === 'retryable' ? retryableError(code as RetryableCode) : apiError(code);
      },
      rollback: async () => ({}),
      promote: async () => ({}),
    });
    const port = await grpc.listen('127.0.0.1:0');
    client = createHydraClient(`127.0.0.1:${port}`);
  });
  afterAll(async () => {
    client?.close();
    await grpc?.shutdown();
    await h?.close();
  });

  const grpcFailure = (deploymentId: string) =>
    client.deploy({ deploymentId }).then(
      () => undefined,
      (err: unknown) => (err instanceof ClientError ? err : undefined),
    );

  it.each(CODES)('%s: over HTTP its catalogue status, code and message', async (code) => {
    const res = await h.call('GET', `/v1/test/throw/direct/${code}`, { key: acme.admin });
    expect({ status: res.status, code: res.body.error.code, message: res.body.error.message }).toEqual({
      status: httpStatusOf(code),
      code,
      message: apiError(code).message,
    });
  });

  it.each(CODES)('%s: over gRPC its catalogue status and message', async (code) => {
    const err = await grpcFailure(`direct:${code}`);
    expect({ code: err?.code, details: err?.details }).toEqual({ code: grpcStatusOf(code), details: apiError(code).message });
  });

  it.each(RETRYABLE)('%s thrown as a RetryableError: HTTP 503 temporarily_unavailable with Retry-After; gRPC its status, "try again shortly"', async (code) => {
    const res = await h.call('GET', `/v1/test/throw/retryable/${code}`, { key: acme.admin });
    expect({ status: res.status, code: res.body.error.code, retryAfter: res.headers.get('retry-after') }).toEqual({ status: 503, code: 'temporarily_unavailable', retryAfter: '1' });
    const err = await grpcFailure(`retryable:${code}`);
    expect({ code: err?.code, details: err?.details }).toEqual({ code: grpcStatusOf(code), details: `${retryableError(code).message}: try again shortly` });
  });

  it.each(ENGINE_CODES)("%s thrown as the engine's own error: HTTP and gRPC answer its catalogue status and its message", async (code) => {
    const thrown = ENGINE_ERROR[code]!();
    const res = await h.call('GET', `/v1/test/throw/engine/${code}`, { key: acme.admin });
    expect({ status: res.status, code: res.body.error.code, message: res.body.error.message }).toEqual({ status: httpStatusOf(code), code, message: thrown.message });
    const err = await grpcFailure(`engine:${code}`);
    expect({ code: err?.code, details: err?.details }).toEqual({ code: grpcStatusOf(code), details: thrown.message });
  });

  it.each(CODES)('%s as the code an operation ended with: ?wait answers its HTTP status, a gRPC wait its gRPC status', async (code) => {
    const res = await h.call('GET', `/v1/test/throw/ended/${code}`, { key: acme.admin });
    expect({ status: res.status, code: res.body.error.code, message: res.body.error.message }).toEqual({ status: httpStatusOf(code), code, message: 'validate: stored message' });
    expect(operationOutcomeError({ id: 'op_a', kind: 'rollback', state: 'failed', errorCode: code, errorMessage: 'validate: stored message' })?.code).toBe(grpcStatusOf(code));
  });

  it('a stored code this version does not know is an operation that failed: 422 operation_failed, FAILED_PRECONDITION', async () => {
    const res = await h.call('GET', '/v1/test/throw/ended/krane_code_17', { key: acme.admin });
    expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 422, code: 'operation_failed' });
    expect(operationOutcomeError({ id: 'op_a', kind: 'promote', state: 'failed', errorCode: 'krane_code_17', errorMessage: null })?.code).toBe(Status.FAILED_PRECONDITION);
  });
});
