import { createRoute, z } from '@hono/zod-openapi';
import { cancelDeployment } from '../../operations/cancel-deployment';
import { waitForOperation } from '../../operations/wait-for-operation';
import { errorResponses, IdempotencyKeyHeader, JSON_POST_ERRORS, jsonContent, Timestamp } from '../schemas/common';
import { DeploymentStatusSchema } from '../schemas/deployment';
import { operationLink, OperationSchema, OperationView } from '../schemas/operation';
import { WaitQuery } from '../schemas/wait';
import { DeploymentIdParams } from './route-params';
import { describeOperation } from './caller-resources';
import { isFinished } from '../../statuses';
import { callableBy } from './callable-by';
import { operationCaller } from './starting-operations';
import { workspaceRoute } from './workspace-route';

const CancelOutcomeSchema = z
  .object({
    deploymentId: z.string(),
    operationId: z.string().nullable().openapi({ description: 'The deploy operation that is being cancelled.' }),
    cancelRequestedAt: Timestamp,
    alreadyRequested: z.boolean().openapi({ description: 'A cancel had been requested before; this one changed nothing.' }),
    status: DeploymentStatusSchema.openapi({ description: 'The deployment status when answering (`cancelled` once the flow stopped).' }),
    operation: OperationSchema.optional().openapi({ description: 'With ?wait: the deploy operation, once it finished.' }),
  })
  .openapi('CancelOutcome');

const route = createRoute({
  method: 'post',
  path: '/v1/deployments/{id}/cancel',
  operationId: 'cancelDeployment',
  tags: ['deployments'],
  summary: 'Cancel a deploy that has not started routing yet',
  description:
    'Sets a flag every step checks (each poll included), so it works whichever process runs the flow; the flow then ' +
    'stops, deletes what it created in Krane and ends `cancelled`. Allowed until assign-routes starts; after that, or ' +
    'once the deploy ended, 409 with the reason (a repeat of the cancel that stopped it answers `alreadyRequested`). `?wait=N` waits up to N seconds for the flow to stop: 200 with the ' +
    'operation when it did, 202 otherwise.',
  ...callableBy('admin', 'deployer'),
  request: { params: DeploymentIdParams, query: WaitQuery, headers: IdempotencyKeyHeader },
  responses: {
    200: { description: 'Cancelled, and the flow has stopped (with ?wait)', ...jsonContent(CancelOutcomeSchema) },
    202: { description: 'Cancel requested; the flow stops at its next check', ...jsonContent(CancelOutcomeSchema) },
    ...errorResponses(...JSON_POST_ERRORS, 404),
  },
});

export const registerCancelDeployment = workspaceRoute(route, async (c, auth, ctx) => {
  const { wait } = c.req.valid('query');
  const outcome = await cancelDeployment(ctx.prisma, operationCaller(c, auth), c.req.valid('param').id);
  if (!outcome.alreadyRequested) c.get('logger').info('cancel requested', { deploymentId: outcome.deploymentId, by: auth.apiKeyId });
  let operation: OperationView | undefined;
  if (wait > 0 && outcome.operationId) {
    const op = await waitForOperation({ prisma: ctx.prisma, watcher: ctx.watcher }, outcome.operationId, wait * 1000);
    if (op && isFinished(op)) operation = await describeOperation(ctx, op);
  }
  const { status } = await ctx.prisma.deployment.findUniqueOrThrow({ where: { id: outcome.deploymentId }, select: { status: true } });
  const body = {
    deploymentId: outcome.deploymentId,
    operationId: outcome.operationId,
    cancelRequestedAt: outcome.cancelRequestedAt.toISOString(),
    alreadyRequested: outcome.alreadyRequested,
    status,
    ...(operation ? { operation } : {}),
  };
  // The 202's Location is what to watch: the deploy operation (or, without one, the deployment).
  const watch = outcome.operationId ? operationLink(outcome.operationId) : `/v1/deployments/${outcome.deploymentId}`;
  return operation ? c.json(body, 200) : c.json(body, 202, { Location: watch });
});
