import { transitionDeployment } from '../src/engine/deployment-status';
import { PreconditionFailedError } from '../src/engine/step-errors';
import type { StepModule } from '../src/engine/step-module';
import { DeployStep } from '../src/engine/step-names';

/** Status "ready" (compare-and-set from "network"; a replay finds it ready already). */
export const setReady: StepModule<{ status: string }> = {
  name: DeployStep.setReady,
  queue: 'steps',
  async run({ deps, data }) {
    if (await transitionDeployment(deps, data.deploymentId!, ['network'], 'ready', { statusReason: null })) return { status: 'ready' };
    const row = await deps.prisma.deployment.findUniqueOrThrow({ where: { id: data.deploymentId! }, select: { status: true } });
    if (row.status === 'ready') return { status: 'ready' };
    throw new PreconditionFailedError('deployment_not_active', `deployment is ${row.status}, cannot become ready`);
  },
  summarize: () => 'status ready',
};
