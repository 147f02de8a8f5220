import { z } from 'zod';
import { ApiError } from '../errors';
import { lineText } from '../operations/text';

const DEPLOYMENT_ID = /^dep_[0-9a-z]{26}$/;
const DEPLOYMENT_ID_OR_EMPTY = /^(?:dep_[0-9a-z]{26})?$/;
const SHAPE = 'dep_ followed by 26 lower case letters and digits';

const deploymentId = z.string().min(1, 'is required').regex(DEPLOYMENT_ID, `must be a deployment id: ${SHAPE}`);

/** proto3 optional strings: absent and "" both mean "not given" (some clients cannot tell them apart). */
const optionalText = (max: number) =>
  lineText(max)
    .optional()
    .transform((v) => (v ? v : undefined));

export const DeployCall = z.object({
  deploymentId,
  keyAuthId: optionalText(255),
  buildContextPath: optionalText(4096),
  dockerfilePath: optionalText(4096),
  dockerImage: optionalText(512),
});

export const RollbackCall = z.object({
  // Empty: the caller does not say which deployment it believes is live.
  sourceDeploymentId: z
    .string()
    .regex(DEPLOYMENT_ID_OR_EMPTY, `must be empty or a deployment id: ${SHAPE}`)
    .transform((v) => (v ? v : undefined)),
  targetDeploymentId: deploymentId,
});

export const PromoteCall = z.object({
  targetDeploymentId: deploymentId,
});

/** Field names as the proto spells them, which is what a caller of any language sees. */
function protoFieldName(key: PropertyKey): string {
  return String(key).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The request, validated before anything is read or written; INVALID_ARGUMENT naming each bad field otherwise. */
export function parseCall<S extends z.ZodType>(schema: S, request: unknown): z.output<S> {
  const result = schema.safeParse(request);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ field: issue.path.map(protoFieldName).join('.'), message: issue.message }));
  throw new ApiError('validation_failed', { via: 'grpc', issues });
}
