import { z } from 'zod';
import type { Release } from '../generated/prisma/client';
import { StoredPolicy, type PolicySnapshot } from './release-policy';

/** The JSON columns of a Release row, read with zod so a malformed row is a clear error, never a TypeError. */
const Figures = z.object({ requests: z.number(), errors5xx: z.number(), errorRate: z.number(), p95Ms: z.number().nullable() });
export type Figures = z.infer<typeof Figures>;

export const StageRecord = z.object({
  stage: z.number().int(),
  weight: z.number().int(),
  startedAt: z.string(),
  endedAt: z.string(),
  canary: Figures.nullable(),
  stable: Figures.nullable(),
});
export type StageRecord = z.infer<typeof StageRecord>;

export const Tripped = z.object({
  rule: z.string(),
  detail: z.string(),
  window: z.object({ fromMs: z.number(), toMs: z.number() }),
  canary: Figures,
  stable: Figures,
});
export type Tripped = z.infer<typeof Tripped>;

/** An end asked for and not applied yet: the release operation's judge, the API's abort, or a newer switch. */
export const EndRequest = z.object({ kind: z.enum(['abort', 'supersede']), reason: z.string() });
export type EndRequest = z.infer<typeof EndRequest>;

export interface ReleaseFigures {
  policy: PolicySnapshot;
  stages: StageRecord[];
  tripped: Tripped | null;
  endRequested: EndRequest | null;
}

export function releaseFigures(row: Pick<Release, 'policy' | 'stages' | 'tripped' | 'endRequested'>): ReleaseFigures {
  return {
    policy: StoredPolicy.parse(row.policy),
    stages: z.array(StageRecord).parse(row.stages),
    tripped: row.tripped === null ? null : Tripped.parse(row.tripped),
    endRequested: row.endRequested === null ? null : EndRequest.parse(row.endRequested),
  };
}
