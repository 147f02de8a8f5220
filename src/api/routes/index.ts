import type { RegisterRoute } from '../types';
import { registerCancelDeployment } from './deployments.cancel';
import { registerCreateDeployment } from './deployments.create';
import { registerDeploymentEvents } from './deployments.events';
import { registerCreateDeploymentEventsToken } from './deployments.events-token';
import { registerGetDeployment } from './deployments.get';
import { registerListDeployments } from './deployments.list';
import { registerGetDeploymentOpenapi } from './deployments.openapi';
import { registerHealthz } from './healthz';
import { registerCreateApiKey } from './keys.create';
import { registerGetApiKey } from './keys.get';
import { registerListApiKeys } from './keys.list';
import { registerRevokeApiKey } from './keys.revoke';
import { registerGetOperation } from './operations.get';
import { registerCreateProject } from './projects.create';
import { registerGetProject } from './projects.get';
import { registerListProjects } from './projects.list';
import { registerPromoteProject } from './projects.promote';
import { registerRollbackProject } from './projects.rollback';
import { registerListProjectRouteChanges } from './projects.route-changes';
import { registerGetProjectRoutes } from './projects.routes';
import { registerUndoProjectRoutes } from './projects.routes-undo';
import { registerDeleteReleasePolicy } from './projects.release-policy.delete';
import { registerSetReleasePolicy } from './projects.release-policy.set';
import { registerAbortRelease } from './projects.releases.abort';
import { registerAdvanceRelease } from './projects.releases.advance';
import { registerGetRelease } from './projects.releases.get';
import { registerReadyz } from './readyz';
import { registerCreateWorkspace } from './workspaces.create';
import { registerGetWorkspace } from './workspaces.get';

/**
 * Every route of the API. To add one: write `routes/<resource>.<action>.ts` exporting a RegisterRoute
 * (createRoute with zod schemas, then `workspaceRoute(route, handler)` or app.openapi(route, handler)), then add it to this
 * list; src/api/README.md names the shared pieces a route declaration is built from.
 * Routes under /v1 are authenticated (and viewer-read-only, and idempotent on POST) by app.ts; others are public.
 * (The queue dashboard at /admin/queues is not an API route: app.ts mounts it from dashboard/.)
 */
export const ROUTES: readonly RegisterRoute[] = [
  registerHealthz,
  registerReadyz,
  registerCreateWorkspace,
  registerGetWorkspace,
  registerCreateApiKey,
  registerListApiKeys,
  registerGetApiKey,
  registerRevokeApiKey,
  registerCreateProject,
  registerListProjects,
  registerGetProject,
  registerGetProjectRoutes,
  registerListProjectRouteChanges,
  registerRollbackProject,
  registerPromoteProject,
  registerUndoProjectRoutes,
  registerSetReleasePolicy,
  registerDeleteReleasePolicy,
  registerGetRelease,
  registerAdvanceRelease,
  registerAbortRelease,
  registerCreateDeployment,
  registerListDeployments,
  registerGetDeployment,
  registerGetDeploymentOpenapi,
  registerDeploymentEvents,
  registerCreateDeploymentEventsToken,
  registerCancelDeployment,
  registerGetOperation,
];
