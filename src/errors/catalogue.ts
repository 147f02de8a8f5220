import type { ClientErrorStatusCode, ServerErrorStatusCode } from 'hono/utils/http-status';
import type { Status } from 'nice-grpc-common';
import { ENGINE_ERRORS, type EngineErrorCode } from '../engine/errors';

/** The gRPC status of a code, by name (`Status[name]` gives the number): keeps this table free of the gRPC runtime. */
export type GrpcStatusName = Exclude<keyof typeof Status, 'OK'>;
export type HttpErrorStatus = ClientErrorStatusCode | ServerErrorStatusCode;

/**
 * One row of the catalogue.
 * - `http`: the status of a request that meets the code, thrown while handling it or as the outcome of the operation it
 *   waited for (`?wait`). A *retryable* error thrown while handling a request is the exception: it answers 503
 *   `temporarily_unavailable`, since the request itself may simply be sent again.
 * - `grpc`: the status a gRPC call answers with, thrown or as the outcome of the operation it waited for.
 * - `retryable`: whether a later attempt of the same thing may succeed. For a step it decides what BullMQ does: retry
 *   with backoff, or fail at once. Only RetryableError takes a retryable code, only TerminalError a terminal one.
 * - `message`: what the tenant reads (API bodies, gRPC status details, step errors, `statusReason`, operation errors),
 *   built only from the typed parameters the throw site passes: never from a raw error. Internal detail goes to the
 *   log (`internal` on the error), never here.
 */
export interface CatalogueEntry {
  readonly http: HttpErrorStatus;
  readonly grpc: GrpcStatusName;
  readonly retryable: boolean;
  // `never`: every parameter must be annotated in the table, or the function body does not type-check.
  readonly message: string | ((params: never) => string);
}

/** What a failed Krane call tells the tenant: the call, its target, and Krane's reason (shown for INVALID_ARGUMENT only). */
export interface KraneCallParams {
  call: string;
  /** `namespace/deploymentId`. */
  target: string;
  /** The status message Krane (or the transport) gave. */
  reason: string;
}

type SwitchKind = 'rollback' | 'promote';
type Via = 'http' | 'grpc';

const SWITCH_VERB: Record<SwitchKind, string> = { rollback: 'rolled back to', promote: 'promoted' };

/**
 * A Krane call that failed with gRPC `status`. Only INVALID_ARGUMENT carries Krane's reason to the tenant: Krane's
 * request validation and its drivers word those about what was sent (the image as given, a field) and never about
 * the host. Any other status (an unreachable docker daemon at DOCKER_HOST, a driver's unexpected error) may say
 * anything about the machine, so its reason goes to the log only. The operation ended with it: 422, whatever the code.
 */
function kraneFailure<R extends boolean, G extends GrpcStatusName>(status: GrpcStatusName, retryable: R, grpc: G) {
  return {
    http: 422,
    grpc,
    retryable,
    message: (p: KraneCallParams) =>
      status === 'INVALID_ARGUMENT' ? `krane ${p.call} ${p.target} failed: ${status} ${p.reason}`.trimEnd() : `krane ${p.call} ${p.target} failed: ${status}`,
  } as const;
}

/**
 * Every error code deployflow answers with, stores or logs as a code. The union `ErrorCode` is this table's keys, so
 * a code without its HTTP status, gRPC status, retryability and message does not exist, and a throw site cannot
 * invent one (`new TerminalError('some_string', …)` does not type-check).
 */
export const ERROR_CATALOGUE = {
  // ---- the request itself -------------------------------------------------------------------------------------
  validation_failed: {
    http: 400,
    grpc: 'INVALID_ARGUMENT',
    retryable: false,
    message: (p: { location: string; issues: readonly { location: string; field: string; message: string }[] } | { via: 'grpc'; issues: readonly { field: string; message: string }[] }) =>
      'via' in p
        ? `invalid request: ${p.issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; ')}`
        : `invalid request ${p.location}: ${p.issues.map((i) => `${i.field || `(${i.location})`}: ${i.message}`).join('; ')}`,
  },
  invalid_json: {
    http: 400,
    grpc: 'INVALID_ARGUMENT',
    retryable: false,
    message: (p: { reason?: string }) => `request body is not valid JSON${p.reason ? `: ${p.reason}` : ''}`,
  },
  unreadable_body: {
    http: 400,
    grpc: 'INVALID_ARGUMENT',
    retryable: false,
    message: 'the request body could not be read: malformed chunked encoding, or the connection closed before the body ended',
  },
  bad_request: { http: 400, grpc: 'INVALID_ARGUMENT', retryable: false, message: (p: { reason: string }) => p.reason || 'bad request' },
  payload_too_large: {
    http: 413,
    grpc: 'RESOURCE_EXHAUSTED',
    retryable: false,
    message: (p: { maxBytes: number }) => `request body exceeds the limit of ${p.maxBytes} bytes (${p.maxBytes / (1024 * 1024)} MiB)`,
  },
  unsupported_media_type: { http: 415, grpc: 'INVALID_ARGUMENT', retryable: false, message: 'request body must be JSON: send Content-Type: application/json' },
  invalid_idempotency_key: { http: 400, grpc: 'INVALID_ARGUMENT', retryable: false, message: 'Idempotency-Key must be 1 to 255 printable ASCII characters' },
  idempotency_in_progress: { http: 409, grpc: 'ABORTED', retryable: true, message: 'a request with this Idempotency-Key is being processed; retry shortly' },
  idempotency_key_reused: {
    http: 422,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    message: 'this Idempotency-Key was already used for a different request: use a new key for a new request',
  },
  method_not_allowed: {
    http: 405,
    grpc: 'UNIMPLEMENTED',
    retryable: false,
    message: (p: { method: string; path: string; allow: readonly string[] }) => `${p.method} is not allowed on ${p.path}; allowed: ${p.allow.join(', ')}`,
  },
  // Retryable: the same request succeeds once the window moves on (the answer says when, in Retry-After).
  rate_limited: {
    http: 429,
    grpc: 'RESOURCE_EXHAUSTED',
    retryable: true,
    message: (p: { requests: number; windowSeconds: number; retryAfterSeconds: number }) =>
      `this API key made more than ${p.requests} requests in ${p.windowSeconds} s; retry after ${p.retryAfterSeconds} s`,
  },
  unimplemented: {
    http: 501,
    grpc: 'UNIMPLEMENTED',
    retryable: false,
    message: (p: { feature: 'image_builds' | 'key_auth' }) =>
      p.feature === 'image_builds'
        ? 'deployflow does not build images: build and push the image yourself, create the deployment with it (POST /v1/deployments), then call Deploy with its id and without build_context_path/dockerfile_path'
        : 'key_auth_id is not supported: deployflow does not verify API keys in front of deployed apps; omit it',
  },

  // ---- who is calling ------------------------------------------------------------------------------------------
  unauthorized: {
    http: 401,
    grpc: 'UNAUTHENTICATED',
    retryable: false,
    message: (
      p:
        | { problem: 'missing' | 'invalid'; via: 'header' | 'metadata' | 'dashboard' }
        | { problem: 'malformed'; via: 'metadata' }
        | { problem: 'token_invalid' | 'token_expired' | 'token_key_inactive'; via: 'token' },
    ) => {
      if (p.problem === 'malformed') return 'malformed authorization metadata: expected "Bearer <api key>"';
      if (p.problem === 'token_expired') return 'the event stream token has expired: mint a new one with POST /v1/deployments/{id}/events/token';
      if (p.problem === 'token_invalid') return 'the event stream token is invalid (malformed, altered, or signed with another key): mint a new one with POST /v1/deployments/{id}/events/token';
      if (p.problem === 'token_key_inactive') return 'the API key that minted this event stream token has been revoked or has expired';
      if (p.problem === 'invalid') return p.via === 'metadata' ? 'invalid or revoked API key' : 'the API key is invalid, has been revoked or has expired';
      if (p.via === 'dashboard') return 'the dashboard needs an API key: HTTP Basic (any user, the key as password) or Authorization: Bearer <key>';
      return `missing API key: send the ${p.via === 'metadata' ? 'metadata authorization' : 'header Authorization'}: Bearer <api key>`;
    },
  },
  forbidden: {
    http: 403,
    grpc: 'PERMISSION_DENIED',
    retryable: false,
    message: (
      p:
        | { rule: 'viewer_reads_only' | 'root_only' | 'dashboard_needs_platform_key' | 'dashboard_same_site' | 'event_token_scope' }
        | { rule: 'root_manages_workspaces'; via: Via }
        | { rule: 'role'; needed: readonly string[]; has: string; via: Via },
    ) => {
      switch (p.rule) {
        case 'viewer_reads_only':
          return 'this API key has the viewer role and can only read';
        case 'root_only':
          return 'this request needs the root API key';
        case 'event_token_scope':
          return "this event stream token is for another deployment's events: mint one for this deployment";
        case 'dashboard_needs_platform_key':
          return "the dashboard shows every workspace's jobs: use the root key or a platform viewer key (npm run platform-key)";
        case 'dashboard_same_site':
          return 'dashboard actions must come from the dashboard itself (cross-site request refused)';
        case 'root_manages_workspaces':
          return `the root key only manages workspaces: use an API key of the workspace ${p.via === 'grpc' ? 'with role deployer or admin' : 'for this request'}`;
        case 'role':
          return p.via === 'grpc'
            ? `this API key has role ${p.has}: Deploy, Rollback and Promote need a workspace key with role ${p.needed.join(' or ')}`
            : `this request needs an API key with role ${p.needed.join(' or ')}; this key has role ${p.has}`;
      }
    },
  },

  // ---- what was asked for --------------------------------------------------------------------------------------
  not_found: {
    http: 404,
    grpc: 'NOT_FOUND',
    retryable: false,
    message: (p: { what: string; id?: string; quoted?: boolean } | { method: string; path: string }) => {
      if ('method' in p) return `no route for ${p.method} ${p.path}`;
      if (p.id === undefined) return `${p.what} not found`;
      return `${p.what} ${p.quoted ? JSON.stringify(p.id) : p.id} not found`;
    },
  },
  openapi_not_found: {
    http: 404,
    grpc: 'NOT_FOUND',
    retryable: false,
    message: (p: { deploymentId: string; openapiPath: string } & ({ scraped: false } | { scraped: true; output: string | null })) =>
      `deployment ${p.deploymentId} has no OpenAPI document: ${
        p.scraped
          ? `its instances served none at ${p.openapiPath}${p.output ? ` (${p.output})` : ''}`
          : 'it was not scraped (the deploy has not reached that step, or ended before it)'
      }`,
  },
  deployment_not_found: { http: 404, grpc: 'NOT_FOUND', retryable: false, message: (p: { deploymentId: string }) => `deployment ${p.deploymentId} does not exist` },
  slug_taken: {
    http: 409,
    grpc: 'ALREADY_EXISTS',
    retryable: false,
    message: (p: { scope: 'workspace' | 'project'; slug: string }) =>
      p.scope === 'workspace' ? `workspace slug "${p.slug}" is already taken` : `project slug "${p.slug}" is already used in this workspace`,
  },
  last_admin_key: {
    http: 409,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    message: "this is the workspace's last active admin key: create another admin key first, then revoke this one",
  },
  conflict: { http: 409, grpc: 'ABORTED', retryable: true, message: 'the resource was changed by another request; retry' },

  // ---- rollback, promote, undo: the state does not allow it ----------------------------------------------------
  stale_source: {
    http: 409,
    grpc: 'ABORTED',
    retryable: false,
    message: (p: { expected: string; live: string | null }) => `expected ${p.expected} to be live, but ${p.live ?? 'no deployment'} is: reload and try again`,
  },
  already_live: {
    http: 409,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    message: (p: { deploymentId: string; kind: SwitchKind }) =>
      p.kind === 'rollback' ? `deployment ${p.deploymentId} is already live` : `deployment ${p.deploymentId} is already live and the project is not rolled back: nothing to promote`,
  },
  not_production: {
    http: 422,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    message: (p: { deploymentId: string; environment: string; kind: SwitchKind }) =>
      `deployment ${p.deploymentId} belongs to environment ${p.environment}; only production deployments can be ${SWITCH_VERB[p.kind]}`,
  },
  deployment_not_ready: {
    http: 422,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    message: (p: { deploymentId: string; status: string; purpose: SwitchKind | 'rescrape' }) =>
      p.purpose === 'rescrape'
        ? `deployment ${p.deploymentId} is ${p.status}; only a ready deployment's OpenAPI document can be fetched again`
        : `deployment ${p.deploymentId} is ${p.status}; only a ready deployment can be ${SWITCH_VERB[p.purpose]}`,
  },
  no_running_instances: {
    http: 422,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    message: (p: { deploymentId: string; purpose: 'switch'; known: number } | { deploymentId: string; purpose: 'rescrape' }) =>
      p.purpose === 'switch'
        ? `deployment ${p.deploymentId} has no running instances in Krane (${p.known} known, none running): redeploy its image instead`
        : `deployment ${p.deploymentId} has no running instance to fetch from`,
  },
  live_hostname_unavailable: {
    http: 422,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    message: (p: { kind: string; deploymentId: string; why: string }) =>
      `cannot ${p.kind} to ${p.deploymentId}: production has no live route and none can be made (${p.why})`,
  },
  live_route_mismatch: {
    http: 422,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    message: (p: { projectId: string; liveDeploymentId: string | null; liveRoutes: readonly { hostname: string; deploymentId: string }[]; operationKind: string }) => {
      const found = p.liveRoutes.length === 0 ? 'no live route' : p.liveRoutes.map((r) => `live route ${r.hostname} -> ${r.deploymentId}`).join(', ');
      const wanted = p.liveDeploymentId === null ? 'no live deployment and no live route' : `exactly one live route, on ${p.liveDeploymentId}`;
      return `this ${p.operationKind} would leave project ${p.projectId} with ${found}, but it must have ${wanted}; nothing was changed`;
    },
  },
  // The stored history of a route change does not read as one: an undo never guesses what it held.
  corrupt_route_change: {
    http: 422,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    message: (p: { sequence?: number; problem: string }) => `route change${p.sequence === undefined ? '' : ` #${p.sequence}`} has an unreadable history entry: ${p.problem}`,
  },
  nothing_to_undo: { http: 409, grpc: 'FAILED_PRECONDITION', retryable: false, message: 'the project has no route change to undo' },
  // A canary weight change (a release's routing step) that cannot be: the caller asked for something impossible.
  invalid_canary_weight: {
    http: 422,
    grpc: 'INVALID_ARGUMENT',
    retryable: false,
    message: (p: { weight: unknown }) => `canary weight must be a whole number from 0 to 100, got ${String(p.weight).slice(0, 40)}`,
  },
  canary_not_eligible: {
    http: 422,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    message: (p: { deploymentId: string; problem: 'not_found' | 'other_project' | 'other_environment' | 'not_ready'; status?: string }) =>
      p.problem === 'not_found'
        ? `canary deployment ${p.deploymentId} does not exist`
        : p.problem === 'not_ready'
          ? `canary deployment ${p.deploymentId} is ${p.status ?? 'not ready'}; only a ready deployment can take traffic`
          : `canary deployment ${p.deploymentId} belongs to another ${p.problem === 'other_project' ? 'project' : 'environment'}`,
  },

  // ---- rolling releases ------------------------------------------------------------------------------------------
  release_not_running: {
    http: 409,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    message: (p: { releaseId: string; state: string }) => `release ${p.releaseId} is ${p.state}: it can no longer be advanced or aborted`,
  },
  release_ending: {
    http: 409,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    message: (p: { releaseId: string; end: string }) => `release ${p.releaseId} is ending (${p.end}): it can no longer be advanced`,
  },
  release_moved_on: {
    http: 409,
    grpc: 'ABORTED',
    retryable: false,
    message: (p: { releaseId: string; stage: number; wanted: number }) =>
      `release ${p.releaseId} is at stage ${p.stage + 1}, not at the stage before ${p.wanted + 1}: this weight change was overtaken`,
  },

  // ---- deploys and cancelling them -----------------------------------------------------------------------------
  deployment_not_pending: {
    http: 409,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    message: (p: { deploymentId: string; status: string }) => `deployment ${p.deploymentId} is ${p.status}, not pending`,
  },
  deployment_not_active: {
    http: 409,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    message: (p: { status: string; wanted: 'building' | 'deploying' | 'ready' }) => `deployment is ${p.status}, cannot become ${p.wanted}`,
  },
  deployment_finished: {
    http: 409,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    message: (p: { deploymentId: string; status: string }) => `deployment ${p.deploymentId} is already ${p.status}: nothing to cancel`,
  },
  too_late_to_cancel: {
    http: 409,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    message: (p: { deploymentId: string }) =>
      `deployment ${p.deploymentId} is already being routed (assign-routes started); roll back or promote another deployment instead`,
  },
  cancel_conflict: {
    http: 409,
    grpc: 'ABORTED',
    retryable: false,
    message: (p: { deploymentId: string }) => `deployment ${p.deploymentId} changed while cancelling; try again`,
  },
  instance_exited: {
    http: 422,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    // `failure` is how the tenant's own app ended (exit code, signal) and the tail of its own output.
    message: (p: { running: number; wanted: number; instanceId: string; failure: string }) =>
      `${p.running} of ${p.wanted} instance(s) running: instance ${p.instanceId} ${p.failure}`,
  },
  instances_not_ready: {
    http: 422,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    message: (p: { running: number; wanted: number; healthy: number; elapsedMs: number; deadlineMs: number; healthProblem?: string }) =>
      `${p.running} of ${p.wanted} instance(s) running and ${p.healthy} healthy after ${Math.round(p.elapsedMs / 1000)} s (deadline ${Math.round(p.deadlineMs / 1000)} s)` +
      (p.healthProblem ? `; last health check: ${p.healthProblem}` : ''),
  },
  invalid_deployment_id: {
    http: 422,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    message: (p: { deploymentId: string }) => `deployment id ${JSON.stringify(p.deploymentId)} has no 8-character suffix to name a host`,
  },
  invalid_apex: { http: 422, grpc: 'FAILED_PRECONDITION', retryable: false, message: 'the routing apex is empty' },

  // ---- how an operation ended, when it recorded no code of its own ---------------------------------------------
  operation_failed: { http: 422, grpc: 'FAILED_PRECONDITION', retryable: false, message: (p: { operationId: string }) => `operation ${p.operationId} ended failed` },
  operation_cancelled: { http: 409, grpc: 'ABORTED', retryable: false, message: (p: { operationId: string }) => `operation ${p.operationId} ended cancelled` },
  operation_superseded: { http: 409, grpc: 'ABORTED', retryable: false, message: (p: { operationId: string }) => `operation ${p.operationId} ended superseded` },

  // ---- the engine's own codes (src/engine/errors.ts says retryability and message; this table the statuses) ----
  // A cancel that took effect: the deploy the request waited for ended cancelled.
  cancelled: { ...ENGINE_ERRORS.cancelled, http: 409, grpc: 'ABORTED' },
  // Latest wins: the deploy the request waited for was stopped because a newer one of its branch reached routing.
  superseded: { ...ENGINE_ERRORS.superseded, http: 409, grpc: 'ABORTED' },
  malformed_job: { ...ENGINE_ERRORS.malformed_job, http: 422, grpc: 'FAILED_PRECONDITION' },
  unknown_operation_kind: { ...ENGINE_ERRORS.unknown_operation_kind, http: 422, grpc: 'FAILED_PRECONDITION' },
  // Any error that is not one of ours (a bug, a library's error): retried like a passing condition; its text is logged.
  step_failed: { ...ENGINE_ERRORS.step_failed, http: 422, grpc: 'UNAVAILABLE' },

  // ---- passing conditions --------------------------------------------------------------------------------------
  stale_fence: {
    http: 422,
    grpc: 'UNAVAILABLE',
    retryable: true,
    message: (p: { projectId: string; fence: number }) => `routing run for project ${p.projectId} with fence ${p.fence} was superseded by a newer run`,
  },
  temporarily_unavailable: { http: 503, grpc: 'UNAVAILABLE', retryable: true, message: 'a dependency is briefly unavailable; retry the request' },
  not_ready: {
    http: 503,
    grpc: 'UNAVAILABLE',
    retryable: true,
    message: (p: { failed: readonly string[] }) => `not ready: ${p.failed.join(' and ')} unavailable`,
  },
  starting: { http: 503, grpc: 'UNAVAILABLE', retryable: true, message: (p: { step: string }) => `not ready: still starting (${p.step})` },
  internal: {
    http: 500,
    grpc: 'INTERNAL',
    retryable: false,
    message: (p: { via: Via }) =>
      p.via === 'grpc' ? 'internal error: the request could not be completed; it has been logged' : 'internal error; report the requestId if it persists',
  },

  // ---- Krane calls, one code per gRPC status (errors.ts in src/krane picks it) ---------------------------------
  krane_cancelled: kraneFailure('CANCELLED', true, 'UNAVAILABLE'),
  krane_unknown: kraneFailure('UNKNOWN', true, 'UNAVAILABLE'),
  krane_invalid_argument: kraneFailure('INVALID_ARGUMENT', false, 'FAILED_PRECONDITION'),
  krane_deadline_exceeded: kraneFailure('DEADLINE_EXCEEDED', true, 'UNAVAILABLE'),
  krane_not_found: kraneFailure('NOT_FOUND', false, 'FAILED_PRECONDITION'),
  krane_already_exists: kraneFailure('ALREADY_EXISTS', false, 'FAILED_PRECONDITION'),
  krane_permission_denied: kraneFailure('PERMISSION_DENIED', false, 'FAILED_PRECONDITION'),
  krane_resource_exhausted: kraneFailure('RESOURCE_EXHAUSTED', true, 'UNAVAILABLE'),
  krane_failed_precondition: kraneFailure('FAILED_PRECONDITION', false, 'FAILED_PRECONDITION'),
  krane_aborted: kraneFailure('ABORTED', true, 'UNAVAILABLE'),
  krane_out_of_range: kraneFailure('OUT_OF_RANGE', false, 'FAILED_PRECONDITION'),
  krane_unimplemented: kraneFailure('UNIMPLEMENTED', false, 'FAILED_PRECONDITION'),
  krane_internal: kraneFailure('INTERNAL', true, 'UNAVAILABLE'),
  krane_unavailable: kraneFailure('UNAVAILABLE', true, 'UNAVAILABLE'),
  krane_data_loss: kraneFailure('DATA_LOSS', false, 'FAILED_PRECONDITION'),
  krane_unauthenticated: kraneFailure('UNAUTHENTICATED', false, 'FAILED_PRECONDITION'),
} as const satisfies Record<string, CatalogueEntry>;

type Catalogue = typeof ERROR_CATALOGUE;

/** Codes that all have a row in the catalogue; naming one that has none fails the type-check. */
export type CodesWithRows<C extends keyof Catalogue> = C;

/**
 * Every code the engine may fail with has its row here: a code added to ENGINE_ERRORS without one fails the
 * type-check on this line. Its retryability and message are the engine's, spread into the row.
 */
export type EngineCodesHaveRows = CodesWithRows<EngineErrorCode>;

/** Every code there is. */
export type ErrorCode = keyof Catalogue;

/** Codes a later attempt may succeed on: only these fit a RetryableError (and BullMQ retries them). */
export type RetryableCode = { [C in ErrorCode]: Catalogue[C]['retryable'] extends true ? C : never }[ErrorCode];

/** Codes that fail the same way however often they are tried: only these fit a TerminalError. */
export type TerminalCode = Exclude<ErrorCode, RetryableCode>;

/** Terminal codes answered with HTTP status `S` (ConflictError takes the 409s, UnprocessableError the 422s). */
export type TerminalCodeWithHttp<S extends HttpErrorStatus> = { [C in TerminalCode]: Catalogue[C]['http'] extends S ? C : never }[TerminalCode];

/** The one code per Krane call status. */
export type KraneCode = Extract<ErrorCode, `krane_${string}`>;

/** What a code's message is built from; `undefined` for a code with a fixed message. */
export type ParamsOf<C extends ErrorCode> = Catalogue[C]['message'] extends (params: infer P) => string ? P : undefined;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);
}

export function isRetryableCode(code: ErrorCode): code is RetryableCode {
  return ERROR_CATALOGUE[code].retryable;
}

/** The public message of `code`, built from its parameters. */
export function publicMessage<C extends ErrorCode>(code: C, params: ParamsOf<C>): string {
  // Indexing the table with a generic code loses the pairing of each message with its own parameters; the
  // constructors' signatures (ErrorArgs) enforce it for every caller.
  const message = ERROR_CATALOGUE[code].message as string | ((params: ParamsOf<C>) => string);
  return typeof message === 'function' ? message(params) : message;
}

export function httpStatusOf(code: ErrorCode): HttpErrorStatus {
  return ERROR_CATALOGUE[code].http;
}

export function grpcStatusNameOf(code: ErrorCode): GrpcStatusName {
  return ERROR_CATALOGUE[code].grpc;
}
