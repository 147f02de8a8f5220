import { defineFlow, onSteps } from '../src/engine/define-flow';
import { ReleaseJobData } from '../src/operations/operation-jobs';
import { operationSubject } from '../src/operations/operation-subject';
import { requestEnd } from '../src/releases/release-requests';
import { judgeRelease, releaseDeps } from '../processors/judge-release';
import type { Services } from '../processors/services';

/**
 * A rolling release (issue 15): a production deploy of a project with a staged policy ends ready at the first stage
 * and starts this operation. Its one step is the judge, a delayed job that runs every judging window for the whole
 * release without holding a worker; every weight change it asks for is a `canary_weight` operation of its own.
 */
export const releaseFlow = defineFlow<Services, ReleaseJobData>({
  kind: 'release',
  data: ReleaseJobData,
  fromOperation: (op) => ({ deploymentId: op.deploymentId, releaseId: op.releaseId, ownerId: op.deploymentId }),
  subject: operationSubject,
  steps: [
    onSteps(judgeRelease), //  every judging window: canary vs stable; asks for the next stage, or the end when it trips
  ],
  // A judge that failed for good must not leave a canary half-served with nobody watching it: the stable takes over.
  async onFailed(services, data, failure) {
    const release = await services.prisma.release.findUnique({ where: { operationId: data.operationId } });
    if (release?.state !== 'running') return;
    await requestEnd(releaseDeps(services), release, { kind: 'abort', reason: `the release's judge failed: ${failure.message}`, requestedBy: `release:${release.id}` });
  },
  // The root job carries only the engine's fields: the release is found by its operation.
  async outcome({ prisma }, data) {
    const release = await prisma.release.findUnique({ where: { operationId: data.operationId } });
    return { kind: 'release', releaseId: release?.id ?? null, state: release?.state ?? null, stage: release?.stageIndex ?? null, weight: release?.weight ?? null, endReason: release?.endReason ?? null };
  },
});
