import { z } from '@hono/zod-openapi';
import { IdOrSlugParam } from '../schemas/common';

/** `{id}` of the /v1/deployments/{id} routes. */
export const DeploymentIdParams = z.object({
  id: IdOrSlugParam.openapi({ param: { name: 'id', in: 'path' }, description: 'Deployment id (`dep_…`)', example: 'dep_01h2xcejqtf2nbrexx3vqjhp41' }),
});
