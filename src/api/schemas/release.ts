import { z } from '@hono/zod-openapi';
import type { Release, ReleasePolicy } from '../../generated/prisma/client';
import { freeText } from '../../operations/text';
import { POLICY_DEFAULTS, policySnapshot, StoredPolicy } from '../../releases/release-policy';
import { releaseFigures } from '../../releases/release-record';
import { Timestamp } from './common';

const int = (name: string, min: number, max: number) =>
  z
    .number({ error: (issue) => (issue.input === undefined ? 'required' : `${name} must be a number`) })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
const num = (min: number, max: number) => z.number({ error: 'must be a number' }).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

const StageBody = z.strictObject({
  weight: int('weight', 1, 100).openapi({ description: "The canary's share of traffic in this stage, percent (1-100).", example: 5 }),
  durationSeconds: int('durationSeconds', 1, 86_400)
    .optional()
    .openapi({ description: 'How long the stage lasts before the next one (automatic) or before it waits for an advance (manual). Required for every stage but the last.', example: 120 }),
});

export const ReleasePolicyBody = z
  .strictObject({
    stages: z
      .array(StageBody, { error: 'must be an array of stages' })
      .min(1, 'must have at least one stage')
      .max(10, 'must have at most 10 stages')
      .superRefine((stages, ctx) => {
        stages.forEach((stage, i) => {
          if (i > 0 && stage.weight <= stages[i - 1].weight) ctx.addIssue({ code: 'custom', path: [i, 'weight'], message: 'must be greater than the weight of the stage before it' });
          if (i < stages.length - 1 && stage.durationSeconds === undefined) ctx.addIssue({ code: 'custom', path: [i, 'durationSeconds'], message: 'required for every stage but the last' });
        });
        const last = stages[stages.length - 1];
        if (last && last.weight !== 100) ctx.addIssue({ code: 'custom', path: [stages.length - 1, 'weight'], message: 'the last stage must have weight 100 (the canary takes all traffic)' });
      })
      .openapi({
        description: 'The stages, weights rising, the last one 100. A single stage of 100 means no canary: deploys switch at once (and are watched when `healthWatchSeconds` is set).',
        example: [{ weight: 5, durationSeconds: 120 }, { weight: 25, durationSeconds: 300 }, { weight: 100 }],
      }),
    advance: z
      .enum(['automatic', 'manual'], { error: 'must be "automatic" or "manual"' })
      .default(POLICY_DEFAULTS.advance)
      .openapi({ description: '`automatic`: the next stage starts when a stage ends healthy. `manual`: each stage waits for `POST /v1/projects/{id}/releases/{releaseId}/advance`.' }),
    maxErrorRateIncreasePoints: num(0, 100)
      .default(POLICY_DEFAULTS.maxErrorRateIncreasePoints)
      .openapi({ description: "Abort when the canary's 5xx rate exceeds the stable's by more than this many percentage points.", example: 5 }),
    maxP95IncreasePercent: num(0, 100_000)
      .default(POLICY_DEFAULTS.maxP95IncreasePercent)
      .openapi({ description: "Abort when the canary's p95 latency exceeds the stable's by more than this percentage (and by more than `minP95IncreaseMs`).", example: 50 }),
    minP95IncreaseMs: int('minP95IncreaseMs', 0, 60_000)
      .default(POLICY_DEFAULTS.minP95IncreaseMs)
      .openapi({ description: 'Latency increases smaller than this never abort (single-digit millisecond p95s are noisy).', example: 10 }),
    minRequests: int('minRequests', 1, 1_000_000)
      .default(POLICY_DEFAULTS.minRequests)
      .openapi({ description: 'No verdict on a window in which the canary answered fewer requests.', example: 20 }),
    judgeWindowSeconds: int('judgeWindowSeconds', 1, 300)
      .default(POLICY_DEFAULTS.judgeWindowSeconds)
      .openapi({ description: 'The judge looks at the last this-many seconds, this often, during every stage.', example: 1 }),
    healthWatchSeconds: int('healthWatchSeconds', 1, 86_400)
      .nullable()
      .default(null)
      .openapi({ description: 'After a plain switch (a policy of one stage of 100, or a promote) watch the new live deployment this long against the one it replaced, and roll back if it trips.', example: null }),
  })
  .openapi('ReleasePolicyRequest', { example: { stages: [{ weight: 5, durationSeconds: 120 }, { weight: 25, durationSeconds: 300 }, { weight: 100 }], advance: 'automatic' } });

export const ReleasePolicySchema = StoredPolicy.extend({
  projectId: z.string(),
  environment: z.string().openapi({ example: 'production' }),
  stages: z.array(z.object({ weight: z.number().int(), durationSeconds: z.number().int().optional() })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}).openapi('ReleasePolicy');

export function releasePolicyView(row: ReleasePolicy, environment: string): z.infer<typeof ReleasePolicySchema> {
  return { projectId: row.projectId, environment, ...policySnapshot(row), createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

const Figures = z
  .object({ requests: z.number().int(), errors5xx: z.number().int(), errorRate: z.number(), p95Ms: z.number().nullable() })
  .openapi('WindowFigures', { description: "What the gateways counted for one deployment: requests, 5xx answers, their rate (0..1) and the p95 latency (ms)." });

export const ReleaseSchema = z
  .object({
    id: z.string().openapi({ example: 'rel_01h2xcejqtf2nbrexx3vqjhp41' }),
    projectId: z.string(),
    environment: z.string().openapi({ example: 'production' }),
    state: z.enum(['running', 'completed', 'aborted', 'superseded']),
    stableDeploymentId: z.string(),
    canaryDeploymentId: z.string(),
    operationId: z.string().openapi({ description: 'The release operation (GET /v1/operations/{id}).' }),
    stage: z.number().int().openapi({ description: 'Index into `policy.stages` of the stage being served (0-based).' }),
    weight: z.number().int().openapi({ description: "The canary's share of traffic now, percent." }),
    weights: z.object({ canary: z.number().int(), stable: z.number().int() }),
    stageStartedAt: Timestamp,
    awaitingAdvance: z.boolean().openapi({ description: 'A manual stage whose time is up: waiting for POST …/advance.' }),
    policy: StoredPolicy,
    current: z
      .object({ fromMs: z.number().int(), toMs: z.number().int(), canary: Figures, stable: Figures })
      .nullable()
      .openapi({ description: 'The figures of the stage being served so far (null once the release ended).' }),
    stages: z.array(z.object({ stage: z.number().int(), weight: z.number().int(), startedAt: Timestamp, endedAt: Timestamp, canary: Figures.nullable(), stable: Figures.nullable() })),
    tripped: z
      .object({ rule: z.string(), detail: z.string(), window: z.object({ fromMs: z.number().int(), toMs: z.number().int() }), canary: Figures, stable: Figures })
      .nullable()
      .openapi({ description: 'When aborted by the judge: the rule and the figures that tripped it.' }),
    endReason: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    endedAt: Timestamp.nullable(),
  })
  .openapi('Release');

export const ReleaseActionBody = z.strictObject({ reason: freeText(1000).trim().optional() }).openapi('ReleaseActionRequest');

export type ReleaseView = z.infer<typeof ReleaseSchema>;

export function releaseView(row: Release, environment: string, current: ReleaseView['current']): ReleaseView {
  const f = releaseFigures(row);
  return {
    id: row.id,
    projectId: row.projectId,
    environment,
    state: row.state,
    stableDeploymentId: row.stableDeploymentId,
    canaryDeploymentId: row.canaryDeploymentId,
    operationId: row.operationId,
    stage: row.stageIndex,
    weight: row.weight,
    weights: { canary: row.weight, stable: 100 - row.weight },
    stageStartedAt: row.stageStartedAt.toISOString(),
    awaitingAdvance: row.awaitingAdvance,
    policy: f.policy,
    current,
    stages: f.stages,
    tripped: f.tripped,
    endReason: row.endReason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    endedAt: row.endedAt?.toISOString() ?? null,
  };
}
