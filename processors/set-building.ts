import { transitionDeployment } from '../src/deployments/deployment-status';
import { PreconditionFailedError } from '../src/errors';
import { isActiveStatus } from '../src/statuses';
import { deployStep } from './services';

/** Records "building" (images are prebuilt; SPEC §3.1 step 2). A replay after the status moved on is a no-op. */
export const setBuilding = deployStep({
  name: 'set-building',
  cancellable: true,
  async run({ services, data }): Promise<{ status: string }> {
    if (await transitionDeployment(services, data.deploymentId, ['pending'], 'building')) return { status: 'building' };
    const row = await services.prisma.deployment.findUniqueOrThrow({ where: { id: data.deploymentId }, select: { status: true } });
    if (isActiveStatus(row.status) && row.status !== 'pending') return { status: row.status };
    throw new PreconditionFailedError('deployment_not_active', { status: row.status, wanted: 'building' });
  },
  summarize: (o) => `status ${o.status}`,
});
