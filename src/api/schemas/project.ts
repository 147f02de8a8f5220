import { z } from '@hono/zod-openapi';
import type { Environment, Project } from '../../generated/prisma/client';
import { BranchName, DisplayName, RECORD_TIMES, Slug, Timestamp } from './common';

export const EnvironmentSchema = z
  .object({
    id: z.string().openapi({ example: 'env_01h2xcejqtf2nbrexx3vqjhp41' }),
    slug: z.string().openapi({ example: 'production' }),
    isProduction: z.boolean(),
    createdAt: Timestamp,
  })
  .openapi('Environment');

export const ProjectSchema = z
  .object({
    id: z.string().openapi({ example: 'prj_01h2xcejqtf2nbrexx3vqjhp41' }),
    workspaceId: z.string(),
    slug: z.string(),
    name: z.string(),
    defaultBranch: z.string(),
    liveDeploymentId: z.string().nullable().openapi({ description: 'The deployment serving the live and production routes.' }),
    isRolledBack: z.boolean().openapi({ description: 'Pinned by a rollback: production deploys do not go live until a promote.' }),
    rolledBackAt: Timestamp.nullable(),
    rolledBackBy: z.string().nullable().openapi({ description: 'API key id, or a `grpc:`/`script:` caller.' }),
    rollbackReason: z.string().nullable(),
    rolledBackFromDeploymentId: z.string().nullable(),
    environments: z.array(EnvironmentSchema),
    ...RECORD_TIMES,
  })
  .openapi('Project');

export type ProjectView = z.infer<typeof ProjectSchema>;

export const CreateProjectBody = z
  .strictObject({
    slug: Slug.openapi({ description: 'Unique within the workspace, DNS-safe.', example: 'shop' }),
    name: DisplayName.openapi({ example: 'Shop' }),
    defaultBranch: BranchName.optional().openapi({ description: 'Defaults to `main`.' }),
  })
  .openapi('CreateProjectRequest', { example: { slug: 'shop', name: 'Shop', defaultBranch: 'main' } });

export function environmentView(e: Environment): z.infer<typeof EnvironmentSchema> {
  return { id: e.id, slug: e.slug, isProduction: e.isProduction, createdAt: e.createdAt.toISOString() };
}

export function projectView(p: Project & { environments: Environment[] }): ProjectView {
  return {
    id: p.id,
    workspaceId: p.workspaceId,
    slug: p.slug,
    name: p.name,
    defaultBranch: p.defaultBranch,
    liveDeploymentId: p.liveDeploymentId,
    isRolledBack: p.isRolledBack,
    rolledBackAt: p.rolledBackAt?.toISOString() ?? null,
    rolledBackBy: p.rolledBackBy,
    rollbackReason: p.rollbackReason,
    rolledBackFromDeploymentId: p.rolledBackFromDeploymentId,
    environments: [...p.environments].sort((a, b) => a.slug.localeCompare(b.slug)).map(environmentView),
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
