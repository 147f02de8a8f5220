import type { RouteSticky } from '../plans/route-types';

/** The canary side of a weighted route: `weight` percent (1-99 while a release runs) of new clients go to it. */
export interface RouteCanary {
  deploymentId: string;
  weight: number;
}

/**
 * One route change as recorded in RouteChange.changes — what an undo reads.
 *
 * `fromDeploymentId`/`toDeploymentId` are the stable side. `canaryFrom`/`canaryTo` are the canary before and after:
 * - a weight change sets `canaryTo` (a canary, or null to clear it) and `canaryFrom` (what it expects to find);
 * - a plain change (a deploy, rollback or promote) leaves both out: it moves the stable side and clears any canary on
 *   the route (a canary is weighed against the stable it was started on, so it never survives its stable moving);
 *   applyRouteChange records the canary it found in `canaryFrom` and null in `canaryTo`, so an undo restores it.
 * Records written before weighted routes have neither: no canary on either side.
 */
export interface AppliedRoute {
  hostname: string;
  sticky: RouteSticky;
  environmentId: string;
  branch?: string | null;
  fromDeploymentId: string | null;
  toDeploymentId: string | null;
  canaryFrom?: RouteCanary | null;
  canaryTo?: RouteCanary | null;
}

/** What a routing job asks to commit atomically. */
export interface RouteChangeRequest {
  operationId: string;
  operationKind: string;
  projectId: string;
  /** Fencing token from ProjectTurns.acquire: an older token than the last commit is refused. */
  fence: number;
  /**
   * Computes the changes from the current state, inside the transaction and under the project's row lock; `project` is
   * the project row as the fencing update locked it (no need to read it again).
   */
  decide(tx: RoutingTx, project: LockedProject, underLock: unknown): Promise<RouteDecision>;
  /**
   * A read the decision needs, as one SQL expression (a scalar subquery, e.g. a json_build_object), sent in the same
   * statement as the replay check after the fence took the lock: its snapshot sees what the lock's previous holder
   * committed, and it costs no round trip of its own while the lock is held. Its value reaches `decide` as `underLock`
   * (null when absent).
   */
  readUnderLock?: import('../../generated/prisma/client').Prisma.Sql;
}

/** The project row as a route change's fencing update locked and returned it: current until the transaction ends. */
export interface LockedProject {
  id: string;
  slug: string;
  liveDeploymentId: string | null;
  isRolledBack: boolean;
  rolledBackAt: Date | null;
  rolledBackBy: string | null;
  rollbackReason: string | null;
  rolledBackFromDeploymentId: string | null;
}

export interface RouteDecision {
  changes: AppliedRoute[];
  /**
   * The live pointer after the change: a deployment id or null sets it; undefined leaves it; `{ ifLiveRouteOn: id }`
   * sets it to `id` only if, once the changes are applied, the project's live route points at `id`, and otherwise
   * leaves it (a deploy: its live hostname may have been skipped, or its change dropped as changed meanwhile).
   * Whatever is asked, the result must agree with the live route, or the change is refused (live-route-invariant.ts).
   */
  live?: string | null | LiveIfRouted;
  /** The pin after the change; undefined leaves it. */
  pin?: PinState;
  notes: string[];
}

/** Live only where the live route actually ended: see RouteDecision.live. */
export interface LiveIfRouted {
  ifLiveRouteOn: string;
}

export type RoutingTx = Parameters<Parameters<import('../../db/prisma').Db['$transaction']>[0]>[0];

/** The rollback pin of a project (SPEC §2); stored before each change so an undo can restore it. */
export interface PinState {
  isRolledBack: boolean;
  rolledBackAt: Date | null;
  rolledBackBy: string | null;
  rollbackReason: string | null;
  rolledBackFromDeploymentId: string | null;
}

export const CLEARED_PIN: PinState = { isRolledBack: false, rolledBackAt: null, rolledBackBy: null, rollbackReason: null, rolledBackFromDeploymentId: null };

/** What RouteChange.changes holds. */
export interface StoredRouteChange {
  applied: AppliedRoute[];
  notes: string[];
  pinBefore: Omit<PinState, 'rolledBackAt'> & { rolledBackAt: string | null };
  operationKind?: string;
}
