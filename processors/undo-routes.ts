import { TerminalError } from '../src/errors';
import type { UndoJobData } from '../src/operations/operation-jobs';
import type { AppliedRoute } from '../src/routing/changes/route-change-types';
import { readStoredRouteChange } from '../src/routing/changes/stored-route-change';
import { routingStep } from '../src/routing/routing-step';
import type { Services } from './services';

export interface UndoResult {
  sequence: number;
  reverted: number;
  undoneSequence: number;
  liveDeploymentId: string | null;
}

/** A recorded change the other way round: the stable side, and the canary when the change had one (a weight change). */
function reversed(c: AppliedRoute): AppliedRoute {
  const back: AppliedRoute = { ...c, fromDeploymentId: c.toDeploymentId, toDeploymentId: c.fromDeploymentId };
  if (c.canaryFrom === undefined && c.canaryTo === undefined) return back;
  return { ...back, canaryFrom: c.canaryTo ?? null, canaryTo: c.canaryFrom ?? null };
}

/**
 * Re-applies the project's last route change in reverse (SPEC §4.3 "rollback capability for failed routing changes"):
 * every route goes back to where it pointed (its canary and weight included), the live pointer and the pin to what they were. A route changed since by
 * someone else is left alone and reported. Undo is itself a route change, so undoing an undo redoes.
 */
export const undoRoutes = routingStep<Services, UndoJobData, Record<never, never>, UndoResult>({
  name: 'undo-routes',
  // Undo takes its place in the project's order when it is requested: the last request wins.
  takesTurn: 'at-request',
  async decide({ data }, tx) {
    const last = await tx.routeChange.findFirst({ where: { projectId: data.projectId }, orderBy: { sequence: 'desc' } });
    if (!last) throw new TerminalError('nothing_to_undo');
    const stored = readStoredRouteChange(last.changes, last.sequence);
    const changes: AppliedRoute[] = [...stored.applied].reverse().map(reversed);
    const pin = { ...stored.pinBefore, rolledBackAt: stored.pinBefore.rolledBackAt ? new Date(stored.pinBefore.rolledBackAt) : null };
    return { changes, live: last.liveFrom, pin, notes: [`undid change #${last.sequence}`] };
  },
  output: (_step, record) => ({ sequence: record.sequence, reverted: record.changes.length, undoneSequence: record.sequence - 1, liveDeploymentId: record.liveTo }),
  summarize: (o) => `${o.reverted} route(s) reverted; live ${o.liveDeploymentId}`,
});
