import type { StepModule } from '../src/engine/step-module';
import { DeployStep } from '../src/engine/step-names';
import { planDeployment } from '../src/routing/plans/deploy-plan-input';
import type { RoutePlan } from '../src/routing/plans/route-types';

/**
 * Computes the deployment's hostnames and which routes move to it (SPEC §4.1, §4.2). Pure computation over the
 * current state; the plan is the step's output, so every retry of assign-routes works from the same plan.
 */
export const buildRoutes: StepModule<RoutePlan> = {
  name: DeployStep.buildRoutes,
  queue: 'steps',
  cancellable: true,
  async run({ deps, data }) {
    return planDeployment(deps.prisma, data.deploymentId!, deps.config.APEX_DOMAIN);
  },
  summarize: (plan) => {
    const counts = plan.changes.reduce<Record<string, number>>((acc, c) => ((acc[c.action] = (acc[c.action] ?? 0) + 1), acc), {});
    const parts = Object.entries(counts).map(([action, n]) => `${n} ${action}`);
    return `${parts.join(', ')}${plan.setLive ? '; becomes live' : ''}${plan.notes.length ? `; ${plan.notes.join('; ')}` : ''}`;
  },
};
