import { z } from 'zod';
import type { Db } from '../db/prisma';
import type { ReleasePolicy as ReleasePolicyRow } from '../generated/prisma/client';
import { newId } from '../ids';
import type { JudgeThresholds } from './judge';

/** One stage of a release: the canary's share of traffic, held for `durationSeconds` (the last stage, 100, ends it). */
export interface ReleaseStage {
  weight: number;
  durationSeconds?: number;
}

/** A policy as a release keeps it (Release.policy): a snapshot, so a later change of the policy does not alter it. */
export interface PolicySnapshot extends JudgeThresholds {
  stages: ReleaseStage[];
  advance: 'automatic' | 'manual';
  judgeWindowSeconds: number;
  healthWatchSeconds: number | null;
}

export const POLICY_DEFAULTS = {
  advance: 'automatic',
  maxErrorRateIncreasePoints: 5,
  maxP95IncreasePercent: 50,
  minP95IncreaseMs: 10,
  minRequests: 20,
  judgeWindowSeconds: 1,
} as const;

/** What a stored policy reads as: the shape every release and health watch works from. */
export function policySnapshot(row: ReleasePolicyRow): PolicySnapshot {
  return {
    stages: StoredStages.parse(row.stages),
    advance: row.advance,
    maxErrorRateIncreasePoints: row.maxErrorRateIncreasePoints,
    maxP95IncreasePercent: row.maxP95IncreasePercent,
    minP95IncreaseMs: row.minP95IncreaseMs,
    minRequests: row.minRequests,
    judgeWindowSeconds: row.judgeWindowSeconds,
    healthWatchSeconds: row.healthWatchSeconds,
  };
}

const StoredStages = z.array(z.object({ weight: z.number().int(), durationSeconds: z.number().int().optional() })).min(1);
export const StoredPolicy = z.object({
  stages: StoredStages,
  advance: z.enum(['automatic', 'manual']),
  maxErrorRateIncreasePoints: z.number(),
  maxP95IncreasePercent: z.number(),
  minP95IncreaseMs: z.number(),
  minRequests: z.number(),
  judgeWindowSeconds: z.number(),
  healthWatchSeconds: z.number().nullable(),
});

/** A staged policy sends production deploys through a release; a policy whose only stage is 100 switches at once. */
export function isStaged(policy: Pick<PolicySnapshot, 'stages'>): boolean {
  return policy.stages[0].weight < 100;
}

/** The production environment's policy of a project, if it has one. */
export async function loadPolicy(prisma: Pick<Db, 'releasePolicy'>, environmentId: string): Promise<PolicySnapshot | undefined> {
  const row = await prisma.releasePolicy.findUnique({ where: { environmentId } });
  return row ? policySnapshot(row) : undefined;
}

/** Creates or replaces an environment's policy; returns the stored row. */
export async function savePolicy(prisma: Db, projectId: string, environmentId: string, policy: PolicySnapshot): Promise<ReleasePolicyRow> {
  const fields = { ...policy, stages: policy.stages as object[] };
  return prisma.releasePolicy.upsert({
    where: { environmentId },
    create: { id: newId('rp'), projectId, environmentId, ...fields },
    update: fields,
  });
}
