import { z } from 'zod';
import { isCatalogued } from '../src/errors';
import { requestSwitch } from '../src/operations/request-switch';
import { judgeSides } from '../src/releases/judge-release-windows';
import { loadPolicy, POLICY_DEFAULTS, type PolicySnapshot } from '../src/releases/release-policy';
import { healthWatchStep } from './services';

export interface WatchHealthResult {
  verdict: 'healthy' | 'rolled-back' | 'moved-on';
  rollbackOperationId?: string;
  detail?: string;
}

const WatchState = z.object({ rollbackOperationId: z.string().optional(), detail: z.string().optional() });

/**
 * The health watch after a plain switch: a delayed job every judging window for `seconds`, holding no worker, that
 * judges the new live deployment against the one it replaced with the release thresholds. The one it replaced serves
 * nothing any more, so its side is its own figures over the same length of time just before the switch (the
 * baseline). When a threshold trips it asks for a rollback to it (an ordinary rollback operation: the project is
 * pinned, with the reason and the figures), keyed by this watch so a run repeated after a crash asks once.
 */
export const watchHealth = healthWatchStep({
  name: 'watch-health',
  state: WatchState,
  async run(step): Promise<WatchHealthResult> {
    const { services, data, state } = step;
    if (state.rollbackOperationId) return { verdict: 'rolled-back', rollbackOperationId: state.rollbackOperationId, detail: state.detail };
    const op = await services.prisma.operation.findUniqueOrThrow({ where: { id: data.operationId }, include: { project: { select: { liveDeploymentId: true, workspaceId: true } } } });
    if (op.project.liveDeploymentId !== data.deploymentId) return { verdict: 'moved-on', detail: `deployment ${op.project.liveDeploymentId ?? 'none'} is live now` };
    const start = op.createdAt.getTime();
    const now = Date.now();
    if (now >= start + data.seconds * 1000) return { verdict: 'healthy' };
    const deployment = await services.prisma.deployment.findUniqueOrThrow({ where: { id: data.deploymentId }, select: { environmentId: true } });
    const policy: PolicySnapshot = (await loadPolicy(services.prisma, deployment.environmentId)) ?? {
      ...POLICY_DEFAULTS,
      stages: [{ weight: 100 }],
      healthWatchSeconds: data.seconds,
    };
    // The previous deployment's side: the same length of time, just before the switch.
    const judged = await judgeSides(services.redis, services.prefix, data.deploymentId, data.previousDeploymentId, start, policy, now, (w) => ({
      fromMs: start - (w.toMs - w.fromMs),
      toMs: start,
    }));
    if (judged.tripped) {
      const detail = `health watch: ${judged.tripped.detail}`;
      step.log(`tripped: ${detail}; rolling back to ${data.previousDeploymentId}`);
      try {
        const rollback = await requestSwitch(
          { prisma: services.prisma, enqueue: (id) => services.operations.enqueue(id) },
          { workspaceId: op.project.workspaceId, requestedBy: `health-watch:${data.operationId}` },
          { kind: 'rollback', projectId: data.projectId, targetDeploymentId: data.previousDeploymentId, expectedSourceDeploymentId: data.deploymentId, reason: detail },
          `health-watch:${data.operationId}`,
        );
        await step.saveState({ rollbackOperationId: rollback.operationId, detail });
        return { verdict: 'rolled-back', rollbackOperationId: rollback.operationId, detail };
      } catch (err) {
        // The state moved meanwhile (another switch, the previous deployment gone): nothing to roll back to.
        if (isCatalogued(err)) return { verdict: 'moved-on', detail: `${detail}; no rollback: ${(err as Error).message}` };
        throw err;
      }
    }
    return step.delay(policy.judgeWindowSeconds * 1000);
  },
  summarize: (o) => (o.verdict === 'healthy' ? 'healthy for the whole watch' : o.verdict === 'rolled-back' ? `rolled back (${o.rollbackOperationId}): ${o.detail}` : `ended: ${o.detail}`),
});
