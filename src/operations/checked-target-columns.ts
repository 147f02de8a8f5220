import type { DeploymentStatus } from '../generated/prisma/client';
import type { CheckedTarget } from './switch-preconditions';

/** A switch target's columns as the raw reads of a switch select them (the deployment LEFT JOINed, with its environment). */
export interface TargetColumns {
  targetId: string | null;
  targetProjectId: string | null;
  targetEnvironmentId: string | null;
  targetStatus: DeploymentStatus | null;
  isProduction: boolean | null;
  environmentSlug: string | null;
}

/** The target as the switch's checks judge it, or null when the LEFT JOIN found no deployment. */
export function checkedTargetOf(row: TargetColumns): CheckedTarget | null {
  if (row.targetId === null) return null;
  return {
    id: row.targetId,
    projectId: row.targetProjectId!,
    environmentId: row.targetEnvironmentId!,
    status: row.targetStatus!,
    environment: { isProduction: row.isProduction!, slug: row.environmentSlug! },
  };
}
