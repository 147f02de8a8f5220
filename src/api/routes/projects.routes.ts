import { loadProjectForCaller } from '../../auth/load-project-for-caller';
import { okResponses } from '../schemas/common';
import { ProjectRoutesSchema, routeView } from '../schemas/route';
import { ProjectIdParams } from './route-params';
import { workspaceRoute } from './workspace-route';
import { readRoute } from './read-route';

const STICKY_ORDER = ['live', 'environment', 'custom', 'branch', 'commit', 'deployment'];

const route = readRoute('routing', '/v1/projects/{id}/routes', 'listProjectRoutes', {
  summary: "The project's hostnames, where each points, the live deployment and the rollback pin",
  request: { params: ProjectIdParams },
  responses: okResponses('The routing table of the project', ProjectRoutesSchema, 404),
});

export const registerGetProjectRoutes = workspaceRoute(route, async (c, auth, ctx) => {
  const project = await loadProjectForCaller(ctx, auth, c.req.valid('param').id);
  const rows = await ctx.prisma.ingressRoute.findMany({ where: { projectId: project.id }, include: { environment: true } });
  rows.sort(
    (a, b) =>
      a.environment.slug.localeCompare(b.environment.slug) ||
      STICKY_ORDER.indexOf(a.sticky) - STICKY_ORDER.indexOf(b.sticky) ||
      a.hostname.localeCompare(b.hostname),
  );
  return c.json(
    {
      projectId: project.id,
      liveDeploymentId: project.liveDeploymentId,
      pin: {
        isRolledBack: project.isRolledBack,
        rolledBackAt: project.rolledBackAt?.toISOString() ?? null,
        rolledBackBy: project.rolledBackBy,
        reason: project.rollbackReason,
        fromDeploymentId: project.rolledBackFromDeploymentId,
      },
      routes: rows.map((r) => routeView(r, ctx.config.GATEWAY_PORT)),
    },
    200,
  );
});
