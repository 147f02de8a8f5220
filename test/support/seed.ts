import type { Db } from '../../src/db/prisma';
import { newId } from '../../src/ids';

/** A workspace and a project with its production and preview environments, written straight to the database. */
export async function seedProject(prisma: Db, names: { workspace?: string; project?: string } = {}) {
  const workspace = await prisma.workspace.create({ data: { id: newId('ws'), slug: names.workspace ?? `ws-${newId('ws').slice(-6)}`, name: 'Test workspace' } });
  const project = await prisma.project.create({ data: { id: newId('prj'), workspaceId: workspace.id, slug: names.project ?? 'api', name: 'API' } });
  const production = await prisma.environment.create({ data: { id: newId('env'), projectId: project.id, slug: 'production', isProduction: true } });
  const preview = await prisma.environment.create({ data: { id: newId('env'), projectId: project.id, slug: 'preview', isProduction: false } });
  return { workspace, project, production, preview };
}
