import { transitionDeployment } from '../src/engine/deployment-status';
import { PreconditionFailedError } from '../src/engine/step-errors';
import type { StepModule } from '../src/engine/step-module';
import { DeployStep } from '../src/engine/step-names';

/** Records "building" (images are prebuilt; SPEC §3.1 step 2). A replay after the status moved on is a no-op. */
export const setBuilding: StepModule<{ status: string }> = {
  name: DeployStep.setBuilding,
  queue: 'steps',
  cancellable: true,
  async run({ deps, data }) {
    if (await transitionDeployment(deps, data.deploymentId!, ['pending'], 'building')) return { status: 'building' };
    const row = await deps.prisma.deployment.findUniqueOrThrow({ where: { id: data.deploymentId! }, select: { status: true } });
    if (['building', 'deploying', 'network'].includes(row.status)) return { status: row.status };
    throw new PreconditionFailedError('deployment_not_active', `deployment is ${row.status}, not pending`);
  },
  summarize: (o) => `status ${o.status}`,
};
