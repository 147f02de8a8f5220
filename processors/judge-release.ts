import { z } from 'zod';
import { ConflictError, NotFoundError } from '../src/errors';
import { isCatalogued } from '../src/errors';
import { judgeReleaseNow } from '../src/releases/judge-release-windows';
import { releaseFigures } from '../src/releases/release-record';
import { requestEnd, requestNextStage, type ReleaseDeps } from '../src/releases/release-requests';
import { releaseStep, type Services } from './services';

export interface JudgeReleaseResult {
  releaseId: string;
  state: string;
  stage: number;
  weight: number;
}

/** How often, while an end is being applied, the judge asks for it again (a crash between asking and enqueueing). */
const END_REASK_EVERY = 5;

const JudgeState = z.object({ ticks: z.number().int().optional(), shownStage: z.number().int().optional() });

export function releaseDeps(services: Services): ReleaseDeps {
  return { prisma: services.prisma, enqueue: (id) => services.operations.enqueue(id) };
}

/**
 * The release's judge: one delayed job that runs every `judgeWindowSeconds` for the whole release and holds no worker
 * in between (it sleeps in the delayed set, like a poll). Each run reads the Release row (the stage it is at is what
 * the last committed weight change left), judges the canary against the stable from the gateways' figures, and asks
 * for the release's next step as an operation of its own: the end (weight 0) when a threshold trips, the next stage
 * when an automatic stage's time is up. Those requests are keyed by release and stage, so a run repeated after a
 * crash asks for the same operation again and changes nothing. It ends when the release has ended.
 */
export const judgeRelease = releaseStep({
  name: 'judge-release',
  state: JudgeState,
  async run(step): Promise<JudgeReleaseResult> {
    const { services, data, state } = step;
    const release = await services.prisma.release.findUnique({ where: { id: data.releaseId } });
    if (!release) throw new NotFoundError('release', data.releaseId);
    const done = { releaseId: release.id, state: release.state, stage: release.stageIndex, weight: release.weight };
    if (release.state !== 'running') return done;
    const { policy, endRequested } = releaseFigures(release);
    const ticks = (state.ticks ?? 0) + 1;
    const every = policy.judgeWindowSeconds * 1000;
    const deps = releaseDeps(services);
    if (state.shownStage !== release.stageIndex) {
      await step.progress(`stage ${release.stageIndex + 1}/${policy.stages.length}: canary ${release.canaryDeploymentId} at ${release.weight}%`, {
        stage: release.stageIndex + 1,
        stages: policy.stages.length,
        weight: release.weight,
      });
    }
    if (endRequested) {
      // The end is on its way through the routing queue; ask again now and then in case its operation was lost.
      if (ticks % END_REASK_EVERY === 0) await requestEnd(deps, release, { ...endRequested, requestedBy: `release:${release.id}` }).catch(ignoreConflict);
      return step.delay(Math.min(every, 250), { ticks, shownStage: release.stageIndex });
    }
    const judged = await judgeReleaseNow(services.redis, services.prefix, release, policy);
    if (judged.tripped) {
      step.log(`tripped: ${judged.tripped.detail}`);
      step.logger.warn('release tripped a threshold; aborting', { releaseId: release.id, rule: judged.tripped.rule, detail: judged.tripped.detail });
      await requestEnd(deps, release, { kind: 'abort', reason: `tripped: ${judged.tripped.detail}`, requestedBy: `release:${release.id}`, tripped: judged.tripped }).catch(ignoreConflict);
      return step.delay(Math.min(every, 250), { ticks, shownStage: release.stageIndex });
    }
    const stage = policy.stages[release.stageIndex];
    const due = stage?.durationSeconds !== undefined && Date.now() - release.stageStartedAt.getTime() >= stage.durationSeconds * 1000;
    if (due && policy.advance === 'automatic') {
      const { operationId, existing } = await requestNextStage(deps, release, `release:${release.id}`).catch((err) => {
        ignoreConflict(err);
        return { operationId: '', existing: true };
      });
      if (!existing) step.log(`stage ${release.stageIndex + 1} ended healthy (${figuresLine(judged.whole.canary)} vs ${figuresLine(judged.whole.stable)}): next stage asked (${operationId})`);
      const asked = operationId ? await services.prisma.operation.findUnique({ where: { id: operationId }, select: { state: true, errorMessage: true } }) : null;
      if (asked?.state === 'failed') {
        // The next weight could not be applied (and asking again is the same operation): the stable takes over.
        await requestEnd(deps, release, { kind: 'abort', reason: `the next stage could not be applied: ${asked.errorMessage ?? 'failed'}`, requestedBy: `release:${release.id}` }).catch(ignoreConflict);
      }
    } else if (due && !release.awaitingAdvance) {
      await services.prisma.release.updateMany({ where: { id: release.id, stageIndex: release.stageIndex, state: 'running' }, data: { awaitingAdvance: true } });
      await step.progress(`stage ${release.stageIndex + 1}/${policy.stages.length}: canary at ${release.weight}%, healthy; waiting for POST …/advance`);
    }
    return step.delay(every, { ticks, shownStage: release.stageIndex });
  },
  summarize: (o) => `release ${o.releaseId} ${o.state} at stage ${o.stage + 1} (canary ${o.weight}%)`,
});

function figuresLine(f: { requests: number; errorRate: number; p95Ms: number | null }): string {
  return `${f.requests} req, ${(f.errorRate * 100).toFixed(1)}% 5xx, p95 ${f.p95Ms ?? '-'} ms`;
}

/** Another request got there first (the release ended or moved on meanwhile): the next run reads the new state. */
function ignoreConflict(err: unknown): void {
  if (err instanceof ConflictError && isCatalogued(err)) return;
  throw err;
}
