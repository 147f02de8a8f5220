import type { RouteSticky } from './route-types';

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
  pin?: { set: { by: string; reason: string | null; fromDeploymentId: string | null } } | 'clear';
  notes: string[];
}

export type RoutingTx = Parameters<Parameters<import('../db/prisma').Db['$transaction']>[0]>[0];
