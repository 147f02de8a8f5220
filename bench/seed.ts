import { randomBytes } from 'node:crypto';
import type { Db } from '../src/db/prisma';
import { newId } from '../src/ids';

export interface BenchWorkspace {
  id: string;
  slug: string;
}

/** A workspace of its own per run (slugs are global), so a shared DATABASE_URL is never confused with earlier runs. */
export async function seedWorkspace(prisma: Db): Promise<BenchWorkspace> {
  const slug = `bench-${randomBytes(3).toString('hex')}`;
  const workspace = await prisma.workspace.create({ data: { id: newId('ws'), slug, name: 'deployflow benchmark' } });
  return { id: workspace.id, slug };
}

/** A project with its production and preview environments, as the API creates them. */
export async function seedProject(prisma: Db, workspaceId: string, slug: string): Promise<{ id: string; slug: string }> {
  const project = await prisma.project.create({ data: { id: newId('prj'), workspaceId, slug, name: slug } });
  await prisma.environment.createMany({
    data: [
      { id: newId('env'), projectId: project.id, slug: 'production', isProduction: true },
      { id: newId('env'), projectId: project.id, slug: 'preview', isProduction: false },
    ],
  });
  return { id: project.id, slug };
}
