import { z } from '@hono/zod-openapi';
import type { DeploymentStep, Operation } from '../../generated/prisma/client';
import { OperationKind, OperationState } from '../../generated/prisma/enums';
import { Timestamp } from './common';
import { StepSchema, stepView } from './step';

export const OperationStateSchema = z.enum(OperationState).openapi('OperationState', {
  description: 'queued → running → succeeded | failed | cancelled | superseded.',
});

export const OperationSchema = z
  .object({
    id: z.string().openapi({ example: 'op_01h2xcejqtf2nbrexx3vqjhp41' }),
    kind: z.enum(OperationKind),
    state: OperationStateSchema,
    projectId: z.string(),
    deploymentId: z.string().nullable().openapi({ description: 'The deployment deployed, rolled back to or promoted.' }),
    sourceDeploymentId: z.string().nullable().openapi({ description: 'For a rollback: the deployment the caller expected to be live.' }),
    reason: z.string().nullable(),
    requestedBy: z.string().openapi({ description: 'API key id, or a `grpc:`/`script:` caller.' }),
    requestId: z
      .string()
      .nullable()
      .openapi({ description: 'The `x-request-id` of the HTTP request that started the operation (null for gRPC and scripts): grep the logs for it.', example: 'req_01h2xcejqtf2nbrexx3vqjhp41' }),
    error: z.object({ code: z.string(), message: z.string() }).nullable().openapi({ description: 'Why the operation failed.' }),
    result: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'What the operation left behind (live deployment, pin …).' }),
    createdAt: Timestamp,
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
    steps: z.array(StepSchema).openapi({ description: "The operation's timeline (for a deploy: the deployment's steps)." }),
  })
  .openapi('Operation');

export type OperationView = z.infer<typeof OperationSchema>;

export const OperationAcceptedSchema = z
  .object({
    operationId: z.string().openapi({ example: 'op_01h2xcejqtf2nbrexx3vqjhp41' }),
    state: OperationStateSchema,
    links: z.object({ operation: z.string().openapi({ example: '/v1/operations/op_01h2xcejqtf2nbrexx3vqjhp41' }) }),
  })
  .openapi('OperationAccepted');

export type OperationAcceptedView = z.infer<typeof OperationAcceptedSchema>;

export function operationLink(operationId: string): string {
  return `/v1/operations/${operationId}`;
}

export function operationView(op: Operation, steps: DeploymentStep[]): OperationView {
  const result = op.result && typeof op.result === 'object' && !Array.isArray(op.result) ? (op.result as Record<string, unknown>) : null;
  return {
    id: op.id,
    kind: op.kind,
    state: op.state,
    projectId: op.projectId,
    deploymentId: op.deploymentId,
    sourceDeploymentId: op.sourceDeploymentId,
    reason: op.reason,
    requestedBy: op.requestedBy,
    requestId: op.requestId,
    error: op.errorCode || op.errorMessage ? { code: op.errorCode ?? 'failed', message: op.errorMessage ?? '' } : null,
    result,
    createdAt: op.createdAt.toISOString(),
    startedAt: op.startedAt?.toISOString() ?? null,
    finishedAt: op.finishedAt?.toISOString() ?? null,
    steps: steps.map(stepView),
  };
}
