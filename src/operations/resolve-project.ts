import type { Db } from '../db/prisma';
import { NotFoundError } from '../errors';

/** A project of the caller's workspace by id or slug; another workspace's project is "not found", never "forbidden". */
export async function resolveProject(prisma: Db, workspaceId: string, idOrSlug: string) {
  const project = await prisma.project.findFirst({
    where: { workspaceId, OR: [{ id: idOrSlug }, { slug: idOrSlug }] },
  });
  if (!project) throw new NotFoundError('project', idOrSlug);
  return project;
}
