import type { Db } from '../db/prisma';

/**
 * What an operation acts on, as its jobs' names show it on the dashboard: `<project>/<environment>` of its deployment
 * (a deploy's new deployment, a rollback's or promote's target), or the project alone (an undo acts on the project's
 * last route change). Nothing when the rows are gone: the jobs then keep bare names, and the steps report the rest.
 */
export async function operationSubject(prisma: Db, data: { projectId: string; deploymentId?: string }): Promise<string | undefined> {
  if (data.deploymentId) {
    const d = await prisma.deployment.findUnique({
      where: { id: data.deploymentId },
      select: { project: { select: { slug: true } }, environment: { select: { slug: true } } },
    });
    if (d) return `${d.project.slug}/${d.environment.slug}`;
  }
  const project = await prisma.project.findUnique({ where: { id: data.projectId }, select: { slug: true } });
  return project?.slug;
}
