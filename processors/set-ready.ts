import { transitionDeployment } from '../src/deployments/deployment-status';
import { PreconditionFailedError } from '../src/errors';
import { deployStep } from './services';

/** Status "ready" (compare-and-set from "network"; a replay finds it ready already). */
export const setReady = deployStep({
  name: 'set-ready',
  async run({ services, data }): Promise<{ status: string }> {
    if (await transitionDeployment(services, data.deploymentId, ['network'], 'ready', { statusReason: null })) return { status: 'ready' };
    const row = await services.prisma.deployment.findUniqueOrThrow({ where: { id: data.deploymentId }, select: { status: true } });
    if (row.status === 'ready') return { status: 'ready' };
    throw new PreconditionFailedError('deployment_not_active', { status: row.status, wanted: 'ready' });
  },
  summarize: () => 'status ready',
});
