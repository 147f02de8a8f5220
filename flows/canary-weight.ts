import { defineFlow, onRouting } from '../src/engine/define-flow';
import { CanaryWeightJobData } from '../src/operations/operation-jobs';
import { operationSubject } from '../src/operations/operation-subject';
import { routeChangeCommitted } from '../src/routing/changes/route-change-committed';
import { setCanaryWeight } from '../processors/set-canary-weight';
import type { Services } from '../processors/services';

/** One weight change of a release: the canary's next stage, its completion (100) or the release's end (0). */
export const canaryWeightFlow = defineFlow<Services, CanaryWeightJobData>({
  kind: 'canary_weight',
  data: CanaryWeightJobData,
  fromOperation: (op) => ({ deploymentId: op.deploymentId, releaseId: op.releaseId, weight: op.canaryWeight, ownerId: op.id }),
  subject: operationSubject,
  steps: [
    onRouting(setCanaryWeight), //  the project's turn (taken at request), then routes and the release in one transaction
  ],
  committed: ({ prisma }, data) => routeChangeCommitted(prisma, data.operationId),
  // The root job carries only the engine's fields: what the operation acted on is read from its row.
  async outcome({ prisma }, data) {
    const op = await prisma.operation.findUniqueOrThrow({ where: { id: data.operationId }, select: { releaseId: true, canaryWeight: true } });
    const release = op.releaseId ? await prisma.release.findUnique({ where: { id: op.releaseId } }) : null;
    return { kind: 'canary_weight', releaseId: op.releaseId, weight: op.canaryWeight, releaseState: release?.state ?? null, stage: release?.stageIndex ?? null };
  },
});
