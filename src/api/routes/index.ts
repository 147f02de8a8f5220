import type { RegisterRoute } from '../types';
import { registerHealthz } from './healthz';
import { registerCreateProject } from './projects.create';
import { registerGetProject } from './projects.get';
import { registerListProjects } from './projects.list';
import { registerReadyz } from './readyz';
import { registerCreateWorkspace } from './workspaces.create';

/**
 * Every route of the API. To add one: write `routes/<resource>.<action>.ts` exporting a RegisterRoute
 * (createRoute with zod schemas + app.openapi(route, handler)), then add it to this list.
 * Routes under /v1 are authenticated (and viewer-read-only, and idempotent on POST) by app.ts; others are public.
 */
export const ROUTES: readonly RegisterRoute[] = [
  registerHealthz,
  registerReadyz,
  registerCreateWorkspace,
  registerCreateProject,
  registerListProjects,
  registerGetProject,
];
