import type { RouteSticky } from '../routing/route-types';

/** One route change as recorded in RouteChange.changes — what an undo reads. */
export interface AppliedRoute {
  hostname: string;
  sticky: RouteSticky;
  environmentId: string;
  branch?: string | null;
  fromDeploymentId: string | null;
  toDeploymentId: string | null;
}

/** What a routing job asks to commit atomically. */
export interface RouteChangeRequest {
  operationId: string;
  operationKind: string;
  projectId: string;
  /** Fencing token from ProjectTurns.acquire: an older token than the last commit is refused. */
  fence: number;
  /** Computes the changes from the current state, inside the transaction and under the project's row lock. */
  decide(tx: RoutingTx): Promise<RouteDecision>;
}

export interface RouteDecision {
  changes: AppliedRoute[];
  /** The live pointer after the change; undefined leaves it. */
  live?: string | null;
  /** The pin after the change; undefined leaves it. */
  pin?: PinState;
  notes: string[];
}

export type RoutingTx = Parameters<Parameters<import('../db/prisma').Db['$transaction']>[0]>[0];

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
