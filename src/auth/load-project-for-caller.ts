import { ApiError } from '../errors';
import type { AppContext } from '../context';
import type { Environment, Project } from '../generated/prisma/client';
import { ID_PATTERN } from '../ids';
import type { AuthContext } from './auth-context';

export type ProjectWithEnvironments = Project & { environments: Environment[] };

/**
 * The project named by id or slug, if it belongs to the caller's workspace. Anything else — another workspace's
 * project, a root key, a project that does not exist — is the same 404, so ids and slugs of other workspaces leak nothing.
 */
export async function loadProjectForCaller(ctx: AppContext, auth: AuthContext, projectIdOrSlug: string): Promise<ProjectWithEnvironments> {
  const notFound = new ApiError('not_found', { what: 'project', id: projectIdOrSlug, quoted: true });
  if (!auth.workspaceId) throw notFound;
  const byId = ID_PATTERN.test(projectIdOrSlug) && projectIdOrSlug.startsWith('prj_');
  const project = await ctx.prisma.project.findFirst({
    where: byId ? { id: projectIdOrSlug, workspaceId: auth.workspaceId } : { slug: projectIdOrSlug, workspaceId: auth.workspaceId },
    include: { environments: { orderBy: { slug: 'asc' } } },
  });
  if (!project) throw notFound;
  return project;
}
