/** What the routes that start an operation share: how they enqueue it, and (rollback, promote, undo) their declaration. */
import type { Context } from 'hono';
import type { WorkspaceAuthContext } from '../../auth/auth-context';
import type { ControlPlaneContext } from '../../context';
import type { Logger } from '../../logger';
import type { Caller } from '../../operations/caller';
import type { EnqueueOperation } from '../../operations/enqueue-operation';
import type { z } from '@hono/zod-openapi';
import { errorResponses, IdempotencyKeyHeader, JSON_POST_ERRORS, jsonContent } from '../schemas/common';
import { OperationAcceptedSchema, OperationSchema } from '../schemas/operation';
import { WaitQuery } from '../schemas/wait';
import { callableBy } from './callable-by';
import type { ApiEnv } from '../types';
import type { ProjectIdParams, ProjectReleaseParams, ProjectTargetParams } from './route-params';

/** Responses of the routes that start a routing operation and may wait for it (rollback, promote, undo, a release's advance and abort). */
const SWITCH_RESPONSES = {
  200: { description: 'With ?wait: the operation finished and succeeded', ...jsonContent(OperationSchema) },
  202: { description: 'Accepted: the operation is queued or running', ...jsonContent(OperationAcceptedSchema) },
  ...errorResponses(...JSON_POST_ERRORS, 404),
};

/**
 * What rollback, promote and undo declare alike: who may call them (admin and deployer keys), their request (the
 * project, and its target for rollback and promote; ?wait; Idempotency-Key; an optional JSON `body`) and their answers.
 */
export function switchRoute<P extends typeof ProjectIdParams | typeof ProjectTargetParams | typeof ProjectReleaseParams, B extends z.ZodType>(params: P, body: B) {
  return {
    ...callableBy('admin', 'deployer'),
    request: { params, query: WaitQuery, headers: IdempotencyKeyHeader, body: { required: false, ...jsonContent(body) } },
    responses: SWITCH_RESPONSES,
  };
}

export const WAIT_DESCRIPTION =
  '`?wait=N` (0 to 30 seconds) waits for the operation: 200 with the operation when it succeeded, the error it ended ' +
  'with when it failed (its `code` and `message`, the operation in `details`), 202 when it is still running.';

/**
 * The enqueue handed to the operation services. The operation row is committed before this runs; if Redis refuses the
 * flow now, the reconciler enqueues every unfinished operation whose flow is missing, so the request is still
 * accepted (202) rather than answered with a 5xx for work that will happen anyway.
 */
export function enqueueLaterIfDown(ctx: ControlPlaneContext, logger: Logger = ctx.logger): EnqueueOperation {
  return async (operationId, known) => {
    try {
      await ctx.operations.enqueue(operationId, known);
    } catch (err) {
      logger.warn('could not enqueue an operation now; the reconciler will', { operationId, error: err instanceof Error ? err.message : String(err) });
    }
  };
}

/** What an operation service needs from the route: the database, and an enqueue that logs through the request's logger. */
export function operationDeps(ctx: ControlPlaneContext, c: Context<ApiEnv>) {
  return { prisma: ctx.prisma, sql: ctx.db.sql, enqueue: enqueueLaterIfDown(ctx, c.get('logger')) };
}

/** The caller as the operation records it: the workspace, the key and this request's id. */
export function operationCaller(c: Context<ApiEnv>, auth: WorkspaceAuthContext): Caller {
  return { workspaceId: auth.workspaceId, requestedBy: auth.apiKeyId, requestId: c.get('requestId') };
}
