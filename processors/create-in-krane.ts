import { transitionDeploymentReturning } from '../src/deployments/deployment-status';
import { kraneSpecOf } from '../src/deployments/krane-spec';
import { PreconditionFailedError } from '../src/errors';
import { fetchMetadata } from './fetch-metadata';
import { deployStep } from './services';

/** Status "deploying", then Krane CreateDeployment; ALREADY_EXISTS (a retry after a crash) counts as success. */
export const createInKrane = deployStep({
  name: 'create-in-krane',
  cancellable: true,
  needs: { meta: fetchMetadata },
  async run({ services, data, needs, log }): Promise<{ alreadyExisted: boolean }> {
    // The move returns the row the spec is made of; only a replay (the status moved already) reads it.
    const moved = await transitionDeploymentReturning(services, data.deploymentId, ['building'], 'deploying');
    const d = moved ?? (await services.prisma.deployment.findUniqueOrThrow({ where: { id: data.deploymentId } }));
    if (!moved && d.status !== 'deploying') throw new PreconditionFailedError('deployment_not_active', { status: d.status, wanted: 'deploying' });
    log(moved ? 'deployment building -> deploying' : 'deployment already deploying (a run before this one moved it)');
    log(`Krane CreateDeployment ${needs.meta.namespace}/${d.id}: image ${d.image}, ${d.replicas} replica(s), port ${d.port}, health ${d.healthCheckPath}`);
    return services.krane.create(kraneSpecOf(d, needs.meta.namespace));
  },
  summarize: (o) => (o.alreadyExisted ? 'already existed in Krane' : 'created in Krane'),
});
