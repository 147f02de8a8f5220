import { z } from 'zod';
import { IdOrSlugParam, Slug } from '../api/schemas/common';
import { DeployRequest } from '../operations/deploy-request';
import { PromoteBody, RollbackBody } from '../operations/switch-request';
import { UndoRoutesBody } from '../api/schemas/route';

/*
 * One operation per line of a bulk file. Each shape is the API's own schema (request body plus what the API takes
 * from the path) with the operation and the workspace slug added, so a line is valid exactly when the same request
 * would be valid over HTTP. Strict objects: an unknown field is an error, never silently ignored.
 */
const base = { workspace: Slug };

export const DeployLine = z.strictObject({ op: z.literal('deploy'), ...base, ...DeployRequest.shape });

export const RollbackLine = z.strictObject({
  op: z.literal('rollback'),
  ...base,
  projectId: IdOrSlugParam,
  targetDeploymentId: IdOrSlugParam,
  ...RollbackBody.shape,
});

export const PromoteLine = z.strictObject({ op: z.literal('promote'), ...base, projectId: IdOrSlugParam, targetDeploymentId: IdOrSlugParam, ...PromoteBody.shape });

export const UndoLine = z.strictObject({ op: z.literal('undo'), ...base, projectId: IdOrSlugParam, ...UndoRoutesBody.shape });

export const CancelLine = z.strictObject({ op: z.literal('cancel'), ...base, deploymentId: IdOrSlugParam });

/** Backfill: fetch a ready deployment's OpenAPI document again from its running instances. */
export const RescrapeOpenapiLine = z.strictObject({ op: z.literal('rescrape-openapi'), ...base, deploymentId: IdOrSlugParam });

export const BulkLine = z.discriminatedUnion('op', [DeployLine, RollbackLine, PromoteLine, UndoLine, CancelLine, RescrapeOpenapiLine]);

export type BulkLine = z.infer<typeof BulkLine>;
export type BulkOp = BulkLine['op'];
