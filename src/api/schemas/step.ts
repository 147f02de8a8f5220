import { z } from '@hono/zod-openapi';
import type { DeploymentStep } from '../../generated/prisma/client';
import { StepStatus } from '../../generated/prisma/enums';
import { Timestamp } from './common';

export const StepSchema = z
  .object({
    name: z.string().openapi({ example: 'poll-instances' }),
    position: z.number().int().openapi({ description: 'Order of the step in its flow.' }),
    status: z.enum(StepStatus),
    attempts: z.number().int(),
    startedAt: Timestamp.nullable(),
    endedAt: Timestamp.nullable(),
    error: z.string().nullable(),
    output: z.string().nullable().openapi({ description: 'A short summary of what the step did.', example: '1 instance(s) running and healthy' }),
  })
  .openapi('Step');

export type StepView = z.infer<typeof StepSchema>;

export function stepView(s: DeploymentStep): StepView {
  return {
    name: s.name,
    position: s.position,
    status: s.status,
    attempts: s.attempts,
    startedAt: s.startedAt?.toISOString() ?? null,
    endedAt: s.endedAt?.toISOString() ?? null,
    error: s.error,
    output: s.output,
  };
}

/** The timeline order: position in the flow; compensation (position 100) comes last. */
export const STEP_ORDER = [{ position: 'asc' as const }, { createdAt: 'asc' as const }];
