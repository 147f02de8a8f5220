import type { Db } from '../../db/prisma';
import { Prisma } from '../../generated/prisma/client';
import { RetryableError } from '../../errors';
import { newId } from '../../ids';
import { assertLiveRouteMatches, resolveLivePointer } from './live-route-invariant';
import { isPlainCreate, isPlainMove, moveRoutes, type PlainCreate, type PlainMove } from './move-routes';
import { recordRouteChange } from './record-route-change';
import type { AppliedRoute, LockedProject, RouteCanary, RouteChangeRequest, RoutingTx } from './route-change-types';
import { readStoredRouteChange } from './stored-route-change';

export interface RouteChangeRecord {
  id: string;
  sequence: number;
  changes: AppliedRoute[];
  liveFrom: string | null;
  liveTo: string | null;
  notes: string[];
  /** True when this operation's change had been committed before (a retry): nothing was written now. */
  replayed: boolean;
}

/** A newer run of the same routing job holds the project's turn: this run must not write. */
export class StaleFenceError extends RetryableError<'stale_fence'> {
  constructor(projectId: string, fence: number) {
    super('stale_fence', { projectId, fence });
  }
}

const NO_CANARY = { canaryDeploymentId: null, canaryWeight: 0 };

function canaryColumns(canary: RouteCanary | null | undefined): { canaryDeploymentId: string | null; canaryWeight: number } {
  return canary ? { canaryDeploymentId: canary.deploymentId, canaryWeight: canary.weight } : NO_CANARY;
}

function canaryOf(row: { canaryDeploymentId: string | null; canaryWeight: number }): RouteCanary | null {
  return row.canaryDeploymentId === null ? null : { deploymentId: row.canaryDeploymentId, weight: row.canaryWeight };
}

type RouteWhere = { hostname: string; projectId: string; environmentId?: string; deploymentId?: string; canaryDeploymentId?: string | null; canaryWeight?: number };

/**
 * A plain change (no canary said) on an existing route: `write` is tried first on the route without a canary, the
 * usual case, in one statement. Only when that finds nothing is the route read, and then written on the canary it has,
 * which the record keeps in `canaryFrom` so that an undo puts it back (a plain change clears the canary).
 */
async function clearingCanary(
  tx: RoutingTx,
  where: RouteWhere,
  change: AppliedRoute,
  write: (where: RouteWhere) => Promise<{ count: number }>,
): Promise<AppliedRoute | undefined> {
  if ((await write({ ...where, canaryDeploymentId: null })).count === 1) return change;
  const found = await tx.ingressRoute.findFirst({ where, select: { canaryDeploymentId: true, canaryWeight: true } });
  if (!found || found.canaryDeploymentId === null) return undefined;
  const { count } = await write({ ...where, canaryDeploymentId: found.canaryDeploymentId, canaryWeight: found.canaryWeight });
  return count === 1 ? { ...change, canaryFrom: canaryOf(found), canaryTo: null } : undefined;
}

/**
 * Applies one change if its precondition still holds (the route is where the change expects it: stable side, and the
 * canary when the change names one); returns the change as applied (with the canary a plain change cleared), or
 * undefined when it was left alone.
 */
async function applyOne(tx: RoutingTx, projectId: string, change: AppliedRoute): Promise<AppliedRoute | undefined> {
  const weighted = change.canaryFrom !== undefined || change.canaryTo !== undefined;
  if (change.toDeploymentId === null) {
    const where = { hostname: change.hostname, projectId, deploymentId: change.fromDeploymentId ?? undefined };
    const remove = (w: RouteWhere) => tx.ingressRoute.deleteMany({ where: w });
    if (!weighted) return clearingCanary(tx, where, change, remove);
    return (await remove({ ...where, ...canaryColumns(change.canaryFrom) })).count === 1 ? change : undefined;
  }
  if (change.fromDeploymentId === null) {
    // ON CONFLICT DO NOTHING: a hostname another project took meanwhile is never clobbered, and the transaction survives.
    const { count } = await tx.ingressRoute.createMany({
      data: [
        {
          id: newId('rt'),
          hostname: change.hostname,
          projectId,
          environmentId: change.environmentId,
          deploymentId: change.toDeploymentId,
          sticky: change.sticky,
          branch: change.branch ?? null,
          ...canaryColumns(change.canaryTo),
        },
      ],
      skipDuplicates: true,
    });
    return count === 1 ? change : undefined;
  }
  const where = { hostname: change.hostname, projectId, environmentId: change.environmentId, deploymentId: change.fromDeploymentId };
  const move = (w: RouteWhere) => tx.ingressRoute.updateMany({ where: w, data: { deploymentId: change.toDeploymentId!, ...canaryColumns(change.canaryTo) } });
  if (!weighted) return clearingCanary(tx, where, change, move);
  return (await move({ ...where, ...canaryColumns(change.canaryFrom) })).count === 1 ? change : undefined;
}

/**
 * The plain moves and creates of a decision, applied together in one statement (moveRoutes) before its other changes.
 * Only where no two changes name the same hostname: then no change's outcome depends on the order they are applied in
 * (a route's precondition names its own hostname only, and hostnames are unique), so applying them first changes
 * nothing but the number of round trips; otherwise every change is applied one after the other, in order.
 */
function batchedChanges(changes: AppliedRoute[]): { moves: PlainMove[]; creates: PlainCreate[] } {
  if (new Set(changes.map((c) => c.hostname)).size !== changes.length) return { moves: [], creates: [] };
  return { moves: changes.filter(isPlainMove), creates: changes.filter(isPlainCreate) };
}

/**
 * Commits one routing job in a single transaction (SPEC §4.3): fencing check and project row lock, idempotency by
 * operation, the route changes (each re-checked against the current owner: a changed route is skipped and reported),
 * the live pointer, the pin, and the RouteChange row with the project's next sequence number.
 * Before anything commits, the live pointer and the live route must agree (assertLiveRouteMatches): a change that
 * would part them fails with LiveRouteMismatchError and the whole transaction rolls back.
 * A crash before commit changes nothing; a retry after commit finds the RouteChange and writes nothing.
 */
export async function applyRouteChange(prisma: Db, request: RouteChangeRequest): Promise<RouteChangeRecord> {
  return prisma.$transaction(
    async (tx) => {
      // The fence, the row lock and the project row in one statement; then, in a statement of its own (so that its
      // snapshot is taken after the lock was granted and sees what the lock's previous holder committed), the replay
      // check and the project's last sequence.
      const [project] = await tx.$queryRaw<LockedProject[]>`
        UPDATE "Project" SET "routingFence" = ${request.fence} WHERE "id" = ${request.projectId} AND "routingFence" <= ${request.fence}
        RETURNING "id", "slug", "liveDeploymentId", "isRolledBack", "rolledBackAt", "rolledBackBy", "rollbackReason", "rolledBackFromDeploymentId"`;
      // The caller's own first read (readUnderLock) rides along in the same statement, so it too sees the state as of the lock.
      const [{ existingId, lastSequence, underLock }] = await tx.$queryRaw<{ existingId: string | null; lastSequence: number | null; underLock: unknown }[]>`
        SELECT (SELECT "id" FROM "RouteChange" WHERE "operationId" = ${request.operationId}) AS "existingId",
               (SELECT MAX("sequence") FROM "RouteChange" WHERE "projectId" = ${request.projectId}) AS "lastSequence",
               ${request.readUnderLock ?? Prisma.sql`NULL`} AS "underLock"`;
      if (existingId !== null) {
        const existing = await tx.routeChange.findUniqueOrThrow({ where: { id: existingId } });
        const stored = readStoredRouteChange(existing.changes, existing.sequence);
        return { id: existing.id, sequence: existing.sequence, changes: stored.applied, notes: stored.notes, liveFrom: existing.liveFrom, liveTo: existing.liveTo, replayed: true };
      }
      if (!project) throw new StaleFenceError(request.projectId, request.fence);

      const decision = await request.decide(tx, project, underLock);
      const applied: AppliedRoute[] = [];
      const notes = [...decision.notes];
      const batch = batchedChanges(decision.changes);
      const batched = new Set<AppliedRoute>([...batch.moves, ...batch.creates]);
      const batchApplied = await moveRoutes(tx, request.projectId, batch.moves, batch.creates);
      for (const change of decision.changes) {
        const done = batched.has(change) ? batchApplied.get(change.hostname) : await applyOne(tx, request.projectId, change);
        if (done) applied.push(done);
        else notes.push(`${change.hostname}: changed by someone else meanwhile, left alone`);
      }

      const pinBefore = {
        isRolledBack: project.isRolledBack,
        rolledBackAt: project.rolledBackAt?.toISOString() ?? null,
        rolledBackBy: project.rolledBackBy,
        rollbackReason: project.rollbackReason,
        rolledBackFromDeploymentId: project.rolledBackFromDeploymentId,
      };
      // Under the project's row lock: no other change of the project can take this sequence meanwhile.
      const sequence = (lastSequence ?? 0) + 1;
      const id = newId('rc');
      const { liveTo, liveRoutes } = await recordRouteChange(tx, {
        id,
        operationId: request.operationId,
        projectId: request.projectId,
        sequence,
        stored: { applied, notes, pinBefore, operationKind: request.operationKind },
        liveFrom: project.liveDeploymentId,
        live: decision.live,
        pin: decision.pin,
      });
      // The pointer the statement set is the one the rules give for the live routes it saw; and the two must agree,
      // or this throws and the transaction (the pointer, the pin and the record with it) rolls back.
      if (liveTo !== resolveLivePointer(project.liveDeploymentId, decision.live, liveRoutes)) throw new Error(`route change of ${request.projectId}: live pointer ${liveTo} set against the rules`);
      assertLiveRouteMatches(request.projectId, liveTo, liveRoutes, request.operationKind);
      return { id, sequence, changes: applied, notes, liveFrom: project.liveDeploymentId, liveTo, replayed: false };
    },
    { timeout: 15_000, maxWait: 10_000 },
  );
}
