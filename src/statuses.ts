import type { DeploymentStatus } from './generated/prisma/client';

/**
 * The one place that says what a deployment status or an operation state means; every list and predicate below is
 * read off the table below (deployments) or the engine's (operations). A status added to the schema fails the
 * type-check until it is placed.
 */
const DEPLOYMENT_STATUS = {
  // In flight: the deploy's steps are still moving it; a cancel is accepted (until assign-routes starts, which is a
  // flag on the row, not a status).
  pending: { terminal: false, cancellable: true, routable: false, compensable: false },
  building: { terminal: false, cancellable: true, routable: false, compensable: false },
  deploying: { terminal: false, cancellable: true, routable: false, compensable: false },
  network: { terminal: false, cancellable: true, routable: false, compensable: false },
  // Terminal: never overwritten (every status write is a compare-and-set from the active ones).
  // Routable: traffic may be switched to it (rollback, promote) and its routes are kept served.
  ready: { terminal: true, cancellable: false, routable: true, compensable: false },
  // Compensable: ended without serving, so its Krane deployment is removed.
  failed: { terminal: true, cancellable: false, routable: false, compensable: true },
  cancelled: { terminal: true, cancellable: false, routable: false, compensable: true },
  // Stopped before routing because a newer production deploy of its branch reached routing (latest wins).
  superseded: { terminal: true, cancellable: false, routable: false, compensable: true },
  // A release's canary that tripped a threshold (ready -> rolled_back, the one terminal-to-terminal move, made in the
  // release's abort transaction): never switched to again; its instances are kept for inspection, not restored.
  rolled_back: { terminal: true, cancellable: false, routable: false, compensable: false },
} as const satisfies Record<DeploymentStatus, { terminal: boolean; cancellable: boolean; routable: boolean; compensable: boolean }>;

type DeploymentTrait = keyof (typeof DEPLOYMENT_STATUS)[DeploymentStatus];

function statusesWhere(trait: DeploymentTrait, value: boolean): DeploymentStatus[] {
  return (Object.keys(DEPLOYMENT_STATUS) as DeploymentStatus[]).filter((s) => DEPLOYMENT_STATUS[s][trait] === value);
}

// ---- deployments ------------------------------------------------------------------------------------------------

/** ready, failed, cancelled, superseded: a deployment in one of these is never written again. */
export const TERMINAL_STATUSES: DeploymentStatus[] = statusesWhere('terminal', true);
/** pending, building, deploying, network: its deploy is in flight. */
export const ACTIVE_STATUSES: DeploymentStatus[] = statusesWhere('terminal', false);
/** Where a cancel is accepted (and routing has not started: a flag on the row). */
export const CANCELLABLE_STATUSES: DeploymentStatus[] = statusesWhere('cancellable', true);
/** ready: what traffic may be switched to, and what is kept served after a restart. */
export const ROUTABLE_STATUSES: DeploymentStatus[] = statusesWhere('routable', true);
/** failed, cancelled, superseded: ended without serving; its Krane deployment is removed. */
export const COMPENSABLE_STATUSES: DeploymentStatus[] = statusesWhere('compensable', true);

export const isTerminalStatus = (status: DeploymentStatus): boolean => DEPLOYMENT_STATUS[status].terminal;
export const isActiveStatus = (status: DeploymentStatus): boolean => !DEPLOYMENT_STATUS[status].terminal;
export const isCancellableStatus = (status: DeploymentStatus): boolean => DEPLOYMENT_STATUS[status].cancellable;
export const isRoutableStatus = (status: DeploymentStatus): boolean => DEPLOYMENT_STATUS[status].routable;
export const isCompensableStatus = (status: DeploymentStatus): boolean => DEPLOYMENT_STATUS[status].compensable;

// ---- operations -------------------------------------------------------------------------------------------------

// An operation's states are the engine's (it queues, runs and ends operations), so their table lives there; they are
// offered here too, so that every status and state predicate is imported from this one module.
export { FINISHED_STATES, isFinished, UNFINISHED_STATES } from './engine/operation-state';
