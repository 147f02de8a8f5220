import { CallContext, ServerError, Status } from 'nice-grpc';
import type { ControlPlaneContext } from '../context';
import { ApiError, NotFoundError } from '../errors';
import { Prisma } from '../generated/prisma/client';
import type { DeploymentServiceImplementation } from '../generated/proto/hydra/v1/deployment';
import type { Caller } from '../operations/caller';
import { startPendingDeploy } from '../operations/create-deploy';
import { requestSwitch } from '../operations/request-switch';
import { isFinished } from '../statuses';
import { awaitOperation } from './await-operation';
import { answerBy } from './call-deadline';
import { DeployCall, parseCall, PromoteCall, RollbackCall } from './requests';
import { operationOutcomeError } from './status-mapping';

/** Response header naming the operation a Rollback/Promote started, sent as soon as it is enqueued. */
export const OPERATION_ID_HEADER = 'deployflow-operation-id';

export interface SwitchWaits {
  /** How long Rollback/Promote wait for the switch when the client set no deadline. */
  defaultWaitMs: number;
  /** Upper bound even for clients with a later deadline. */
  maxWaitMs: number;
  /** Aborted when the server stops: waiting calls answer at once (the operations themselves go on). */
  stopping: AbortSignal;
}

/** `hydra.v1.DeploymentService` on top of the same operation services the HTTP API uses. */
export function deploymentService(ctx: ControlPlaneContext, waits: SwitchWaits): DeploymentServiceImplementation<{ caller: Caller }> {
  const deps = { prisma: ctx.prisma, enqueue: ctx.operations.enqueue };
  const logger = ctx.logger.child({ component: 'grpc' });

  async function switchLive(
    kind: 'rollback' | 'promote',
    caller: Caller,
    input: { targetDeploymentId: string; sourceDeploymentId?: string },
    context: CallContext,
  ): Promise<void> {
    const until = answerBy(context.metadata, waits);
    const target = await ctx.prisma.deployment.findFirst({
      where: { id: input.targetDeploymentId, project: { workspaceId: caller.workspaceId } },
      select: { projectId: true },
    });
    if (!target) throw new NotFoundError('deployment', input.targetDeploymentId);
    const { operationId } = await requestSwitch(deps, caller, {
      kind,
      projectId: target.projectId,
      targetDeploymentId: input.targetDeploymentId,
      expectedSourceDeploymentId: input.sourceDeploymentId,
      reason: `grpc ${kind}`,
    });
    // Sent now, so a caller that gives up early still learns which operation to follow.
    context.header.set(OPERATION_ID_HEADER, operationId);
    context.sendHeader();
    logger.info(`grpc ${kind} enqueued`, { operationId, deploymentId: input.targetDeploymentId, requestedBy: caller.requestedBy });

    const op = await awaitOperation({ prisma: ctx.prisma, watcher: ctx.watcher }, operationId, until, [context.signal, waits.stopping]);
    if (isFinished(op)) {
      const error = operationOutcomeError(op);
      if (error) throw error;
      return;
    }
    if (context.signal.aborted) throw new ServerError(Status.CANCELLED, `the call was cancelled; ${kind} ${operationId} goes on`);
    const follow = `follow it with GET /v1/operations/${operationId}`;
    if (waits.stopping.aborted) throw new ServerError(Status.UNAVAILABLE, `the server is shutting down; ${kind} ${operationId} is still ${op.state} and goes on: ${follow}`);
    throw new ServerError(Status.DEADLINE_EXCEEDED, `${kind} ${operationId} is still ${op.state}; it goes on: ${follow}`);
  }

  return {
    async deploy(request, context) {
      const call = parseCall(DeployCall, request);
      if (call.buildContextPath !== undefined || call.dockerfilePath !== undefined) {
        throw new ApiError('unimplemented', { feature: 'image_builds' });
      }
      if (call.keyAuthId !== undefined) {
        // Accepting it silently would leave the caller believing its API is protected by key verification.
        throw new ApiError('unimplemented', { feature: 'key_auth' });
      }
      const { caller } = context;
      const deployment = await ctx.prisma.deployment.findFirst({
        where: { id: call.deploymentId, project: { workspaceId: caller.workspaceId } },
        select: { image: true },
      });
      if (!deployment) throw new NotFoundError('deployment', call.deploymentId);
      if (call.dockerImage !== undefined && call.dockerImage !== deployment.image) {
        throw new ApiError('validation_failed', {
          via: 'grpc',
          issues: [
            {
              field: 'docker_image',
              message: `deployment ${call.deploymentId} was created with image ${deployment.image}, not ${call.dockerImage}; deployflow deploys the image a deployment was created with (omit docker_image or send that image)`,
            },
          ],
        });
      }
      const started = await startOnce(() => startPendingDeploy(deps, caller, call.deploymentId));
      logger.info(started.existing ? 'grpc deploy: already started' : 'grpc deploy enqueued', {
        operationId: started.operationId,
        deploymentId: call.deploymentId,
        requestedBy: caller.requestedBy,
      });
      return {};
    },

    async rollback(request, context) {
      const call = parseCall(RollbackCall, request);
      await switchLive('rollback', context.caller, call, context);
      return {};
    },

    async promote(request, context) {
      const call = parseCall(PromoteCall, request);
      await switchLive('promote', context.caller, call, context);
      return {};
    },
  };
}

/**
 * Two Deploy calls for one deployment racing each other: both may find no operation yet, and the second insert then
 * hits the unique `deploy-once:<deployment>` idempotency key. Trying once more finds the first one's operation.
 */
async function startOnce<T>(start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return start();
    throw err;
  }
}
