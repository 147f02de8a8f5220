import { z } from 'zod';
import { Prisma } from '../src/generated/prisma/client';
import { passRoutingGate } from '../src/deployments/routing-gate';
import { supersedeOlderDeploys } from '../src/deployments/supersede-older-deploys';
import type { OutputOf } from '../src/engine/define-step';
import { DeployFacts, deployFactsOf } from '../src/deployments/deploy-facts';
import { deployRoutesSql, parseDeployRoutes, planDeployment } from '../src/routing/plans/deploy-plan-input';
import type { AppliedRoute, LockedProject, RouteDecision, RoutingTx } from '../src/routing/changes/route-change-types';
import { routingStep } from '../src/routing/routing-step';
import { decideDeployRelease, deployReleaseSql, parseDeployReleaseState, RELEASED_STICKIES } from '../src/releases/deploy-release';
import { mergeDecisions } from '../src/releases/release-transitions';
import { buildRoutes } from './build-routes';
import { fetchMetadata } from './fetch-metadata';
import type { Services } from './services';
import type { DeployJobData } from '../src/operations/operation-jobs';

export interface AssignResult {
  sequence: number;
  applied: number;
  live: boolean;
  notes: string[];
}

/** Once passed, the cancel gate is remembered in the job; until then (a first run, or one cut short by an outage) it runs. */
const GateState = z.object({ gated: z.boolean().optional() });

/**
 * Applies the deploy's routes in the routing queue, atomically, as the rules decide them NOW, under the project's
 * turn: the state build-routes saw may have changed while the deploy waited for its turn (a rollback pin set or
 * cleared by a switch applied first, a newer deployment, a hostname taken by someone else). Deciding on the state at
 * the moment of applying is what makes requests apply in order with the last one winning; build-routes' plan is
 * what the timeline showed, and where it differs the change says so in its notes.
 */
export const assignRoutes = routingStep<Services, DeployJobData, { plan: typeof buildRoutes; meta: typeof fetchMetadata }, AssignResult, z.infer<typeof GateState>, DeployFacts>({
  name: 'assign-routes',
  needs: { plan: buildRoutes, meta: fetchMetadata },
  state: GateState,
  // A deploy queues for its project's turn when it gets here, after its polling: behind whatever was requested meanwhile.
  takesTurn: 'at-pickup',
  async beforeTurn({ services, data, needs, state, saveState, log }) {
    if (state.gated) return;
    // The point of no return for cancellation (and latest wins): from here on the deploy will be routed.
    await passRoutingGate(services, data.deploymentId);
    // Latest wins: older production deploys of this branch that have not reached routing stop (and are compensated).
    // Done after the gate, so only a deploy that will be routed supersedes; before the gate is saved, so a crash in
    // between repeats it on the next run.
    const superseded = await supersedeOlderDeploys(services, data.deploymentId, await deployFactsOf(services.prisma, data.deploymentId, needs.meta));
    if (superseded.length) log(`latest wins: superseded ${superseded.length} older production deploy(s) of this branch not yet routing: ${superseded.join(', ')}`);
    await saveState({ gated: true });
  },
  // The deployment's hostnames and environment cannot change: fetch-metadata handed them on (read only for a deploy
  // enqueued before it did), so the transaction reads only what can (the routes; the pin is on the row it locked).
  prepare: ({ services, data, needs }) => deployFactsOf(services.prisma, data.deploymentId, needs.meta),
  // What the decision reads of what can change, sent with the transaction's replay check (no round trip of its own
  // while the lock is held; as of the lock, like a read of its own): the routes under its hostnames, and for a
  // production deploy the release state. Built from the handed-on facts; without them (an older fetch-metadata's
  // output) decide reads each itself.
  readUnderLock: ({ services, data, needs }) => deployUnderLockSql(services, data, needs.meta),
  decide: ({ services, data, needs }, tx, project, facts, underLock) => decideDeployRoutes(services, data, needs.plan, tx, project, facts, underLock),
  output: (_step, record) => ({ sequence: record.sequence, applied: record.changes.length, live: record.liveTo !== record.liveFrom, notes: record.notes }),
  summarize: (o) => `${o.applied} route(s) changed (change #${o.sequence})${o.live ? '; now live' : ''}${o.notes.length ? `; ${o.notes.join('; ')}` : ''}`,
});

/** The JSON object of what a deploy's decision reads under the project's lock (see assignRoutes.readUnderLock). */
function deployUnderLockSql(services: Pick<Services, 'apex'>, data: Pick<DeployJobData, 'deploymentId' | 'operationId'>, meta: unknown): Prisma.Sql {
  const facts = DeployFacts.safeParse(meta);
  if (!facts.success) return Prisma.sql`NULL`;
  const release = facts.data.isProduction
    ? deployReleaseSql({ operationId: data.operationId, projectId: facts.data.projectId, environmentId: facts.data.environmentId })
    : Prisma.sql`NULL`;
  return Prisma.sql`json_build_object('routes', ${deployRoutesSql(facts.data, data.deploymentId, services.apex)}, 'release', ${release})`;
}

/**
 * What a deploy's route change is, decided on the state inside the transaction (see assignRoutes): the current plan's
 * creates and moves, live only where its live route lands, and a note for each hostname where it differs from the
 * plan build-routes stored. `project` is the project row the transaction locked (its pin and live pointer as they are
 * now); `facts` what cannot change about the deployment (deploy-facts.ts).
 */
export async function decideDeployRoutes(
  services: Pick<Services, 'apex'>,
  data: Pick<DeployJobData, 'deploymentId'> & Partial<Pick<DeployJobData, 'operationId'>>,
  stored: OutputOf<typeof buildRoutes>,
  tx: RoutingTx,
  project: Pick<LockedProject, 'isRolledBack' | 'liveDeploymentId'>,
  facts: DeployFacts,
  /** What deployUnderLockSql read under the same lock (null or absent: read here). */
  underLock?: unknown,
): Promise<RouteDecision> {
  const read = typeof underLock === 'string' ? (JSON.parse(underLock) as unknown) : underLock;
  const known = read ? (read as { routes: unknown; release: unknown }) : undefined;
  const planned = new Set(stored.changes.filter((c) => c.action === 'create' || c.action === 'move').map((c) => c.hostname));
  const routes = known ? parseDeployRoutes(known.routes) : undefined;
  const current = await planDeployment(tx, data.deploymentId, services.apex, { facts, pinned: project.isRolledBack, routes });
  const notes = [...current.notes];
  const changes: AppliedRoute[] = [];
  for (const c of current.changes) {
    const applies = c.action === 'create' || c.action === 'move';
    if (applies !== planned.has(c.hostname) && c.action !== 'unchanged') {
      notes.push(`${c.hostname}: ${applies ? c.action : (c.reason ?? 'skipped')} (state changed since build-routes)`);
    }
    if (!applies) continue;
    changes.push({
      hostname: c.hostname,
      sticky: c.sticky,
      branch: c.branch ?? null,
      environmentId: stored.environmentId,
      fromDeploymentId: c.action === 'move' ? c.fromDeploymentId : null,
      toDeploymentId: data.deploymentId,
    });
  }
  // A production deploy supersedes a running release, and with a staged policy starts one instead of taking live.
  const release = await decideDeployRelease(
    tx,
    { deploymentId: data.deploymentId, operationId: data.operationId, projectId: facts.projectId, environmentId: stored.environmentId, isProduction: facts.isProduction },
    current,
    project,
    known?.release ? parseDeployReleaseState(known.release) : undefined,
  );
  if (release.start) {
    // The stable keeps its live, environment and custom routes and the live pointer; the canary gets its share of them.
    const own = changes.filter((c) => !RELEASED_STICKIES.has(c.sticky));
    return mergeDecisions(release.supersede, mergeDecisions({ changes: own, notes }, release.start.decision));
  }
  // Live only where the live route really ends on this deployment once applied: never a live pointer without its route.
  return mergeDecisions(release.supersede, { changes, live: current.setLive ? { ifLiveRouteOn: data.deploymentId } : undefined, notes });
}
