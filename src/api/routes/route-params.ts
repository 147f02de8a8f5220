/** The path parameters of the routes: a deployment's, a project's, a rollback/promote target's, an operation's, a workspace's. */
import { z } from '@hono/zod-openapi';
import { IdOrSlugParam } from '../schemas/common';

/** `{id}` of the /v1/deployments/{id} routes. */
export const DeploymentIdParams = z.object({
  id: IdOrSlugParam.openapi({ param: { name: 'id', in: 'path' }, description: 'Deployment id (`dep_…`)', example: 'dep_01h2xcejqtf2nbrexx3vqjhp41' }),
});

const projectId = IdOrSlugParam.openapi({ param: { name: 'id', in: 'path' }, description: 'Project id (`prj_…`) or slug', example: 'shop' });

/** `{id}` of the /v1/projects/{id}/… routes. */
export const ProjectIdParams = z.object({ id: projectId });

/** `{id}` of GET /v1/operations/{id}. */
export const OperationIdParams = z.object({
  id: IdOrSlugParam.openapi({ param: { name: 'id', in: 'path' }, description: 'Operation id (`op_…`)', example: 'op_01h2xcejqtf2nbrexx3vqjhp41' }),
});

/** `{id}` of GET /v1/workspaces/{id}. */
export const WorkspaceIdParams = z.object({
  id: IdOrSlugParam.openapi({ param: { name: 'id', in: 'path' }, description: 'Workspace id (`ws_…`) or slug', example: 'acme' }),
});

/** `{id}` and `{deploymentId}` of rollback and promote. */
export const ProjectTargetParams = z.object({
  id: projectId,
  deploymentId: IdOrSlugParam.openapi({
    param: { name: 'deploymentId', in: 'path' },
    description: 'The target deployment (`dep_…`), a production deployment of this project',
    example: 'dep_01h2xcejqtf2nbrexx3vqjhp41',
  }),
});

/** `{id}` and `{releaseId}` of the /v1/projects/{id}/releases/{releaseId} routes. */
export const ProjectReleaseParams = z.object({
  id: projectId,
  releaseId: IdOrSlugParam.openapi({ param: { name: 'releaseId', in: 'path' }, description: 'Release id (`rel_…`)', example: 'rel_01h2xcejqtf2nbrexx3vqjhp41' }),
});
