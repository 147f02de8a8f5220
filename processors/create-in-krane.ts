import { transitionDeployment } from '../src/engine/deployment-status';
import { kraneSpecOf } from '../src/engine/krane-spec';
import { PreconditionFailedError } from '../src/engine/step-errors';
import type { StepModule } from '../src/engine/step-module';
import { DeployStep } from '../src/engine/step-names';
import type { DeployMetadata } from './fetch-metadata';

/** Status "deploying", then Krane CreateDeployment; ALREADY_EXISTS (a retry after a crash) counts as success. */
export const createInKrane: StepModule<{ alreadyExisted: boolean }> = {
  name: DeployStep.createInKrane,
  queue: 'steps',
  cancellable: true,
  async run({ deps, data, outputs }) {
    const meta = outputs[DeployStep.fetchMetadata] as DeployMetadata;
    const moved = await transitionDeployment(deps, data.deploymentId!, ['building'], 'deploying');
    const d = await deps.prisma.deployment.findUniqueOrThrow({ where: { id: data.deploymentId! } });
    if (!moved && d.status !== 'deploying') throw new PreconditionFailedError('deployment_not_active', `deployment is ${d.status}`);
    return deps.krane.create(kraneSpecOf(d, meta.namespace));
  },
  summarize: (o) => (o.alreadyExisted ? 'already existed in Krane' : 'created in Krane'),
};
