import { loadProjectForCaller } from '../../auth/load-project-for-caller';
import { readFigures } from '../../releases/gateway-figures';
import { okResponses } from '../schemas/common';
import { ReleaseSchema, releaseView } from '../schemas/release';
import { readRoute } from './read-route';
import { loadReleaseForProject } from './release-routes';
import { ProjectReleaseParams } from './route-params';
import { workspaceRoute } from './workspace-route';

const route = readRoute('releases', '/v1/projects/{id}/releases/{releaseId}', 'getRelease', {
  summary: 'A rolling release: its stage, the weights served, and the figures of each side',
  description:
    '`current` holds what the gateways counted for the canary and the stable over the stage being served so far ' +
    '(requests, 5xx, error rate, p95 latency); `stages` each finished stage\'s figures; `tripped` the rule and the ' +
    'figures that aborted it, when the judge did.',
  request: { params: ProjectReleaseParams },
  responses: okResponses('The release', ReleaseSchema, 404),
});

export const registerGetRelease = workspaceRoute(route, async (c, auth, ctx) => {
  const { id, releaseId } = c.req.valid('param');
  const project = await loadProjectForCaller(ctx, auth, id);
  const release = await loadReleaseForProject(ctx, project, releaseId);
  const environment = project.environments.find((e) => e.id === release.environmentId)?.slug ?? 'production';
  let current = null;
  if (release.state === 'running') {
    const window = { fromMs: release.stageStartedAt.getTime(), toMs: Date.now() };
    const [canary, stable] = await Promise.all([
      readFigures(ctx.redis, ctx.config.QUEUE_PREFIX, release.canaryDeploymentId, window),
      readFigures(ctx.redis, ctx.config.QUEUE_PREFIX, release.stableDeploymentId, window),
    ]);
    current = { ...window, canary, stable };
  }
  return c.json(releaseView(release, environment, current), 200);
});
