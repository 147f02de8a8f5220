/** What the release routes share: the production environment they concern, and the caller's release. */
import { ApiError } from '../../errors';
import type { ProjectWithEnvironments } from '../../auth/load-project-for-caller';
import type { Environment, Release } from '../../generated/prisma/client';
import type { ControlPlaneContext } from '../../context';

/** Release policies and releases are production's (the environment live routes and rollbacks concern). */
export function productionOf(project: ProjectWithEnvironments): Environment {
  const production = project.environments.find((e) => e.isProduction);
  // Every project is created with one; a project without it has nothing a release could act on.
  if (!production) throw new ApiError('not_found', { what: 'production environment of project', id: project.slug, quoted: true });
  return production;
}

/** A release of the caller's project; another project's (or workspace's) release is the same 404 as none. */
export async function loadReleaseForProject(ctx: ControlPlaneContext, project: ProjectWithEnvironments, releaseId: string): Promise<Release> {
  const release = await ctx.prisma.release.findFirst({ where: { id: releaseId, projectId: project.id } });
  if (!release) throw new ApiError('not_found', { what: 'release', id: releaseId, quoted: true });
  return release;
}
