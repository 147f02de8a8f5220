/*
 * Checked by `npm run typecheck` (tsc reads test/), never run by Jest. Each `@ts-expect-error` below marks a line
 * that must NOT compile: if one ever compiles (a check got lost), tsc reports the unused directive and the
 * type-check fails.
 */
import type { EngineErrorCode } from '../../src/engine/errors';
import type { CatalogueEntry, CodesWithRows, ErrorCode } from '../../src/errors';
import { ApiError, ConflictError, RetryableError, TerminalError, UnprocessableError } from '../../src/errors';
import type { DeploymentStatus } from '../../src/generated/prisma/client';

// A catalogue row needs every column: without its gRPC status it does not fit the table.
export const rowWithoutGrpcStatus = {
  // @ts-expect-error Property 'grpc' is missing
  new_code: { http: 418, retryable: false, message: 'short and stout' },
} satisfies Record<string, CatalogueEntry>;

// A table keyed by the codes must name every one of them.
// @ts-expect-error the other codes are missing
export const hintsForOneCode = { not_found: 'check the id' } satisfies Record<ErrorCode, string>;

// The engine's codes must all be rows of the catalogue (EngineCodesHaveRows in the catalogue is this check): an
// engine code without a row does not fit.
// @ts-expect-error 'engine_new_code' has no row
export type EngineCodeWithoutRow = CodesWithRows<EngineErrorCode | 'engine_new_code'>;

// A table keyed by deployment statuses must place every status (src/statuses.ts is built this way).
// @ts-expect-error 'superseded' is missing
export const phases = { pending: 'active', building: 'active', deploying: 'active', network: 'active', ready: 'done', failed: 'done', cancelled: 'done' } satisfies Record<DeploymentStatus, string>;

export function throwSitesThatDoNotCompile(): void {
  // @ts-expect-error a free-form code is not a catalogue code
  void new TerminalError('some_string', 'anything at all');
  // @ts-expect-error a retryable code cannot make a TerminalError (BullMQ would fail what may pass)
  void new TerminalError('krane_unavailable', { call: 'GetDeployment', target: 'acme/dep_a', reason: '' });
  // @ts-expect-error a terminal code cannot make a RetryableError (BullMQ would retry what cannot pass)
  void new RetryableError('not_found', { what: 'deployment', id: 'dep_a' });
  // @ts-expect-error ConflictError takes the codes answered 409 only; deployment_not_ready is a 422
  void new ConflictError('deployment_not_ready', { deploymentId: 'dep_a', status: 'failed', purpose: 'rollback' });
  // @ts-expect-error UnprocessableError takes the codes answered 422 only; stale_source is a 409
  void new UnprocessableError('stale_source', { expected: 'dep_a', live: null });
  // @ts-expect-error a code whose message needs parameters cannot be thrown without them
  void new TerminalError('stale_source');
  // @ts-expect-error nor with a message of the throw site's own in their place
  void new ApiError('not_found', 'deployment dep_a not found');
  // @ts-expect-error nor with parameters of the wrong shape
  void new ApiError('payload_too_large', { maxBytes: '1 MiB' });
}

// A switch over codes that forgets one stops compiling at its `never` check.
function unreachable(value: never): never {
  throw new Error(String(value));
}
export function nextStep(code: 'stale_source' | 'already_live' | 'nothing_to_undo'): string {
  switch (code) {
    case 'stale_source':
      return 'read the live deployment again';
    case 'already_live':
      return 'nothing to do';
    default:
      // @ts-expect-error 'nothing_to_undo' is not handled
      return unreachable(code);
  }
}
