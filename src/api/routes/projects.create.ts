import { createRoute } from '@hono/zod-openapi';
import { newId } from '../../ids';
import { ApiError } from '../../errors';
import { isUniqueViolation } from '../prisma-errors';
import { createdResponses, jsonPostRequest } from '../schemas/common';
import { CreateProjectBody, ProjectSchema, projectView } from '../schemas/project';
import { callableBy } from './callable-by';
import { workspaceRoute } from './workspace-route';

/** Every project starts with these; `production` is the one live routes and rollbacks concern. */
const INITIAL_ENVIRONMENTS = [
  { slug: 'production', isProduction: true },
  { slug: 'preview', isProduction: false },
] as const;

const route = createRoute({
  method: 'post',
  path: '/v1/projects',
  operationId: 'createProject',
  tags: ['projects'],
  summary: 'Create a project with its production and preview environments',
  ...callableBy('admin', 'deployer'),
  request: jsonPostRequest(CreateProjectBody),
  responses: createdResponses('The project, with its environments', ProjectSchema),
});

export const registerCreateProject = workspaceRoute(route, async (c, auth, ctx) => {
  const body = c.req.valid('json');
  try {
    // One nested create is one statement batch in one transaction: the project never exists without its environments.
    const project = await ctx.prisma.project.create({
      data: {
        id: newId('prj'),
        workspaceId: auth.workspaceId,
        slug: body.slug,
        name: body.name,
        defaultBranch: body.defaultBranch ?? 'main',
        environments: { create: INITIAL_ENVIRONMENTS.map((e) => ({ id: newId('env'), slug: e.slug, isProduction: e.isProduction })) },
      },
      include: { environments: true },
    });
    c.get('logger').info('project created', { projectId: project.id, workspaceId: auth.workspaceId, by: auth.apiKeyId });
    return c.json(projectView(project), 201, { Location: `/v1/projects/${project.id}` });
  } catch (err) {
    if (isUniqueViolation(err)) throw new ApiError('slug_taken', { scope: 'project', slug: body.slug }, { details: { field: 'slug' } });
    throw err;
  }
});
