import type { Db } from '../db/prisma';
import { ConflictError, NotFoundError, UnprocessableError } from '../errors';
import type { RoutingTx } from '../routing/changes/route-change-types';
import type { DeploymentStatus } from '../generated/prisma/client';
import { isRoutableStatus } from '../statuses';

type Reader = Db | RoutingTx;

export interface SwitchTarget {
  projectId: string;
  productionEnvironmentId: string;
  namespace: string;
  liveDeploymentId: string | null;
  pinned: boolean;
  rolledBackFromDeploymentId: string | null;
}

/** What a rollback or promote is checked for: its project, its target, and the live deployment the caller expects. */
export interface SwitchCheckInput {
  kind: 'rollback' | 'promote';
  projectId: string;
  targetDeploymentId: string;
  expectedSourceDeploymentId?: string;
}

/**
 * The checks a rollback or promote must pass, against the current state (SPEC §3.2 step 1, §3.3 step 1).
 * `strictLive`: at request time, asking for the deployment that is already live is a conflict (409); inside the
 * routing job (the state may have moved while the request waited its turn) it is accepted as already done.
 */
export async function checkSwitchPreconditions(db: Reader, input: SwitchCheckInput, strictLive: boolean): Promise<SwitchTarget> {
  // One read after the other: `db` may be a transaction, which has a single connection.
  return judgeSwitchPreconditions(await readSwitchStateInOrder(db, input), input, strictLive);
}

/** The rows a switch is checked against: its project (with workspace) and its target (with environment). */
export type SwitchState = Awaited<ReturnType<typeof readSwitchStateInOrder>>;

async function readSwitchStateInOrder(db: Reader, input: { projectId: string; targetDeploymentId: string }) {
  const project = await db.project.findUnique({ where: { id: input.projectId }, include: { workspace: true } });
  const target = await db.deployment.findUnique({ where: { id: input.targetDeploymentId }, include: { environment: true } });
  return { project, target };
}

/** A switch's target as checked against a project row the caller already holds, with its environment's slug. */
export type CheckedSwitch = Omit<SwitchTarget, 'namespace'> & { environmentSlug: string };

/**
 * The checks of checkSwitchPreconditions against a project row and a target already read: at request time, the
 * rows readAndRecordSwitch read; in `validate` and inside the route change transaction (strictLive
 * off), the rows their own statements read, the latter under the project's lock. No namespace: none of them needs it.
 */
export function judgeSwitchTarget(project: CheckedProject, target: CheckedTarget | null, input: SwitchCheckInput, strictLive: boolean): CheckedSwitch {
  return { ...judgeSwitch(project, target, input, strictLive), environmentSlug: target!.environment.slug };
}

/** What the checks read of a project. */
export type CheckedProject = { id: string; slug: string; liveDeploymentId: string | null; isRolledBack: boolean; rolledBackFromDeploymentId: string | null };

/** What the checks read of a target deployment and its environment. */
export type CheckedTarget = {
  id: string;
  projectId: string;
  environmentId: string;
  status: DeploymentStatus;
  environment: { isProduction: boolean; slug: string };
};

/** The checks of checkSwitchPreconditions on rows already read. */
export function judgeSwitchPreconditions({ project, target }: SwitchState, input: SwitchCheckInput, strictLive: boolean): SwitchTarget {
  if (!project) throw new NotFoundError('project', input.projectId);
  return { ...judgeSwitch(project, target, input, strictLive), namespace: project.workspace.slug };
}

function judgeSwitch(project: CheckedProject, target: CheckedTarget | null, input: SwitchCheckInput, strictLive: boolean): Omit<SwitchTarget, 'namespace'> {
  if (!target || target.projectId !== project.id) throw new NotFoundError(`deployment of project ${project.slug}`, input.targetDeploymentId);
  if (!target.environment.isProduction) {
    throw new UnprocessableError('not_production', { deploymentId: target.id, environment: target.environment.slug, kind: input.kind });
  }
  if (!isRoutableStatus(target.status)) {
    throw new UnprocessableError('deployment_not_ready', { deploymentId: target.id, status: target.status, purpose: input.kind });
  }
  if (input.expectedSourceDeploymentId && input.expectedSourceDeploymentId !== project.liveDeploymentId) {
    throw new ConflictError('stale_source', { expected: input.expectedSourceDeploymentId, live: project.liveDeploymentId });
  }
  if (strictLive && project.liveDeploymentId === target.id) {
    if (input.kind === 'rollback' || !project.isRolledBack) throw new ConflictError('already_live', { deploymentId: target.id, kind: input.kind });
  }
  return {
    projectId: project.id,
    productionEnvironmentId: target.environmentId,
    liveDeploymentId: project.liveDeploymentId,
    pinned: project.isRolledBack,
    rolledBackFromDeploymentId: project.rolledBackFromDeploymentId,
  };
}
