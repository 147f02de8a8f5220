import { z } from 'zod';
import type { CanaryWeightJobData } from '../src/operations/operation-jobs';
import { readFigures } from '../src/releases/gateway-figures';
import { decideReleaseWeight, type ClosedStageFigures } from '../src/releases/release-transitions';
import { routingStep } from '../src/routing/routing-step';
import type { Services } from './services';

export interface CanaryWeightResult {
  sequence: number;
  releaseId: string;
  weight: number;
}

const Figures = z.object({ requests: z.number(), errors5xx: z.number(), errorRate: z.number(), p95Ms: z.number().nullable() });
/** The closed stage's figures, measured once before the turn and kept, so a run again after a crash records the same. */
const ClosedState = z.object({ closed: z.object({ fromMs: z.number(), toMs: z.number(), canary: Figures.nullable(), stable: Figures.nullable() }).optional() });

/**
 * A release's weight change, in the routing queue like every route change: serialized per project, one transaction
 * (the routes, the Release row and the canary's `release` event), a RouteChange (so an undo reverts it), published to
 * every gateway. Takes its place in the project's order when requested, like rollback and promote: a release's
 * abort asked for before a rollback applies before it.
 */
export const setCanaryWeight = routingStep<Services, CanaryWeightJobData, Record<never, never>, CanaryWeightResult, z.infer<typeof ClosedState>>({
  name: 'set-canary-weight',
  state: ClosedState,
  takesTurn: 'at-request',
  async beforeTurn({ services, data, state, saveState }) {
    if (state.closed) return;
    const release = await services.prisma.release.findUnique({ where: { id: data.releaseId } });
    if (!release || release.state !== 'running') return; // decide refuses it under the lock
    const window = { fromMs: release.stageStartedAt.getTime(), toMs: Date.now() };
    const [canary, stable] = await Promise.all([
      readFigures(services.redis, services.prefix, release.canaryDeploymentId, window),
      readFigures(services.redis, services.prefix, release.stableDeploymentId, window),
    ]);
    const closed: ClosedStageFigures = { ...window, canary, stable };
    await saveState({ closed });
  },
  async decide({ data, state }, tx) {
    const { decision } = await decideReleaseWeight(tx, data.releaseId, data.weight, state.closed);
    return decision;
  },
  output: ({ services, data }, record) => {
    // Wake the canary's event streams: the change wrote a `release` event to its log.
    services.events.publish([data.deploymentId], { type: 'release', releaseId: data.releaseId });
    return {
    sequence: record.sequence,
    releaseId: data.releaseId,
    weight: data.weight,
    };
  },
  summarize: (o) => `canary at ${o.weight}% (change #${o.sequence})${o.weight === 0 ? '; release ended, the stable serves everything' : o.weight === 100 ? '; the canary is live' : ''}`,
});
