import type { Db } from '../../../src/db/prisma';
import type { ReleaseState } from '../../../src/generated/prisma/client';
import { newId } from '../../../src/ids';
import type { PolicySnapshot } from '../../../src/releases/release-policy';
import { seedDeployment } from './deployments';

export const TEST_POLICY: PolicySnapshot = {
  stages: [{ weight: 10, durationSeconds: 60 }, { weight: 50, durationSeconds: 60 }, { weight: 100 }],
  advance: 'manual',
  maxErrorRateIncreasePoints: 5,
  maxP95IncreasePercent: 50,
  minP95IncreaseMs: 10,
  minRequests: 20,
  judgeWindowSeconds: 1,
  healthWatchSeconds: null,
};

/** A release row (with its stable live and its canary ready) and its operation, with no flow behind them. */
export async function seedRelease(prisma: Db, input: { projectId: string; state?: ReleaseState; stageIndex?: number }) {
  const stable = await seedDeployment(prisma, { projectId: input.projectId, live: true });
  const canary = await seedDeployment(prisma, { projectId: input.projectId });
  const production = await prisma.environment.findUniqueOrThrow({ where: { projectId_slug: { projectId: input.projectId, slug: 'production' } } });
  const id = newId('rel');
  const operationId = newId('op');
  await prisma.operation.create({ data: { id: operationId, kind: 'release', projectId: input.projectId, deploymentId: canary.id, releaseId: id, requestedBy: 'key_seed' } });
  const stageIndex = input.stageIndex ?? 0;
  const release = await prisma.release.create({
    data: {
      id,
      projectId: input.projectId,
      environmentId: production.id,
      stableDeploymentId: stable.id,
      canaryDeploymentId: canary.id,
      operationId,
      policy: TEST_POLICY as object,
      stageIndex,
      weight: TEST_POLICY.stages[stageIndex].weight,
      state: input.state ?? 'running',
    },
  });
  return { release, stable, canary };
}
