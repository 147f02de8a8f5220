import type { SwitchJobData } from '../src/operations/operation-jobs';
import { routingStep } from '../src/routing/routing-step';
import { recordHealthWatchInTx } from '../src/releases/health-watch';
import { mergeDecisions, supersedeRunningRelease } from '../src/releases/release-transitions';
import type { Services } from './services';
import { CLEARED_PIN, type AppliedRoute } from '../src/routing/changes/route-change-types';
import { judgeSwitchTarget } from '../src/operations/switch-preconditions';
import { parseSwitchUnderLock, switchUnderLockSql } from '../src/routing/plans/switch-under-lock';
import { deployPlanInput } from '../src/routing/plans/deploy-plan-input';
import { LiveHostnameUnavailableError } from '../src/routing/plans/live-hostname-unavailable-error';
import { missingProductionRoutes, planSwitchRoutes } from '../src/routing/plans/plan-switch-routes';

export interface SwitchResult {
  sequence: number;
  moved: number;
  created: number;
  liveDeploymentId: string | null;
  pinned: boolean;
}

/**
 * Rollback/promote step 3, in the routing queue: re-validates against the state at its turn, then in one transaction
 * moves every live, environment and custom route of production to the target (creating the environment and live routes
 * where production has none, as a deploy would), sets the live pointer, and sets the pin (rollback) or clears it
 * (promote). Promoting the live deployment of a pinned project moves nothing: a confirm.
 */
export const switchRoutes = routingStep<Services, SwitchJobData, Record<never, never>, SwitchResult, Record<never, never>>({
  name: 'switch-routes',
  // A switch takes its place in the project's order when it is requested: the last request wins.
  takesTurn: 'at-request',
  // What the request asked (fixed when the operation was recorded), the target and the production routes, read with
  // the transaction's replay check: no statement of their own, neither while the turn is taken nor under the lock.
  readUnderLock: ({ data }) => switchUnderLockSql(data.operationId, data.projectId, data.deploymentId),
  async decide({ services, data }, tx, project, _prepared, underLock) {
    const { kind } = data;
    const { request: op, target: read, routes, healthWatchSeconds } = parseSwitchUnderLock(data.operationId, underLock);
    // Checked again against the state at the project's turn (the request checked it when it was made).
    const target = judgeSwitchTarget(
      project,
      read,
      { kind, projectId: data.projectId, targetDeploymentId: data.deploymentId, expectedSourceDeploymentId: op.sourceDeploymentId ?? undefined },
      false,
    );
    const where = { projectId: data.projectId, productionEnvironmentId: target.productionEnvironmentId, routes };
    // The target's deploy-plan input only where production lacks routes the switch must create (after an undo of a first deploy).
    const plan = planSwitchRoutes({
      ...where,
      kind,
      targetDeploymentId: data.deploymentId,
      target: missingProductionRoutes(where).length ? await deployPlanInput(tx, data.deploymentId, services.apex, 'read') : undefined,
    });
    const liveSkipped = plan.find((c) => c.sticky === 'live' && c.action === 'skip');
    if (liveSkipped) throw new LiveHostnameUnavailableError(kind, data.deploymentId, liveSkipped.reason ?? liveSkipped.hostname);
    const changes: AppliedRoute[] = plan
      .filter((c) => c.action === 'move' || c.action === 'create')
      .map((c) => ({ hostname: c.hostname, sticky: c.sticky, branch: c.branch ?? null, environmentId: target.productionEnvironmentId, fromDeploymentId: c.fromDeploymentId, toDeploymentId: c.toDeploymentId }));
    const notes: string[] = plan.filter((c) => c.action === 'create' || c.action === 'skip').map((c) => `${c.sticky} route ${c.hostname}: ${c.action === 'create' ? 'created' : 'skipped'} (${c.reason})`);
    if (kind === 'promote' && target.liveDeploymentId === data.deploymentId) notes.push('confirmed the rollback: the live deployment stays, the pin is cleared');
    const pin =
      kind === 'promote'
        ? CLEARED_PIN
        : {
            isRolledBack: true,
            rolledBackAt: new Date(),
            rolledBackBy: op.requestedBy,
            rollbackReason: op.reason,
            // Rolling back again while pinned keeps pointing at the deployment the first rollback left.
            rolledBackFromDeploymentId: target.liveDeploymentId === data.deploymentId ? target.rolledBackFromDeploymentId : target.liveDeploymentId,
          };
    // A rollback or promote supersedes the environment's running release: its canary leaves the routes first.
    // A running release always has its canary on these routes: without one, no query for it (a switch's transaction
    // is kept to six statements, test/routing/a-switch-commits-its-route-change-in-at-most-six-statements).
    const superseded = routes.some((r) => r.canaryDeploymentId !== null)
      ? await supersedeRunningRelease(tx, data.projectId, target.productionEnvironmentId, `superseded by ${kind} ${data.operationId}`)
      : undefined;
    // A promote is a plain switch: watched afterwards when the policy asks for it (a rollback is the remedy, not watched).
    if (kind === 'promote') {
      await recordHealthWatchInTx(
        tx,
        {
          projectId: data.projectId,
          environmentId: target.productionEnvironmentId,
          deploymentId: data.deploymentId,
          previousDeploymentId: target.liveDeploymentId,
          switchOperationId: data.operationId,
          requestedBy: op.requestedBy,
        },
        // Read with the target under the lock: no statement of its own.
        healthWatchSeconds,
      );
    }
    return mergeDecisions(superseded, { changes, live: data.deploymentId, pin, notes });
  },
  output: ({ data }, record) => ({
    sequence: record.sequence,
    moved: record.changes.filter((c) => c.fromDeploymentId !== null).length,
    created: record.changes.filter((c) => c.fromDeploymentId === null).length,
    liveDeploymentId: record.liveTo,
    pinned: data.kind === 'rollback',
  }),
  summarize: (o) => `${o.moved} route(s) moved${o.created ? `, ${o.created} created` : ''} (change #${o.sequence}); live ${o.liveDeploymentId}`,
});
