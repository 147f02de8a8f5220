import { planDeployment } from '../src/routing/plans/deploy-plan-input';
import type { RoutePlan } from '../src/routing/plans/route-types';
import { deployStep } from './services';

/**
 * Computes the deployment's hostnames and which routes move to it (SPEC §4.1, §4.2), as the timeline shows them
 * before the deploy's routing turn. assign-routes decides again on the state at its turn (switches requested
 * meanwhile apply first) and notes where that differs from this plan.
 */
export const buildRoutes = deployStep({
  name: 'build-routes',
  cancellable: true,
  async run({ services, data }): Promise<RoutePlan> {
    return planDeployment(services.prisma, data.deploymentId, services.apex);
  },
  summarize: (plan) => {
    const counts = plan.changes.reduce<Record<string, number>>((acc, c) => ((acc[c.action] = (acc[c.action] ?? 0) + 1), acc), {});
    const parts = Object.entries(counts).map(([action, n]) => `${n} ${action}`);
    return `${parts.join(', ')}${plan.setLive ? '; becomes live' : ''}${plan.notes.length ? `; ${plan.notes.join('; ')}` : ''}`;
  },
});
