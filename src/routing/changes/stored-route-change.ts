import { z } from 'zod';
import { TerminalError } from '../../errors';
import type { StoredRouteChange } from './route-change-types';

const Sticky = z.enum(['deployment', 'commit', 'branch', 'environment', 'live', 'custom']);
const id = z.string().min(1);
const Canary = z.object({ deploymentId: id, weight: z.number().int().min(0).max(100) });

const StoredRouteChangeSchema = z.object({
  applied: z.array(
    z.object({
      hostname: z.string().min(1),
      sticky: Sticky,
      environmentId: id,
      branch: z.string().nullable().optional(),
      fromDeploymentId: id.nullable(),
      toDeploymentId: id.nullable(),
      canaryFrom: Canary.nullable().optional(),
      canaryTo: Canary.nullable().optional(),
    }),
  ),
  notes: z.array(z.string()),
  pinBefore: z.object({
    isRolledBack: z.boolean(),
    rolledBackAt: z.string().nullable(),
    rolledBackBy: z.string().nullable(),
    rollbackReason: z.string().nullable(),
    rolledBackFromDeploymentId: z.string().nullable(),
  }),
  operationKind: z.string().optional(),
}) satisfies z.ZodType<StoredRouteChange>;

/** RouteChange.changes as written by applyRouteChange; anything else is a corrupt history, not something to guess at. */
export function readStoredRouteChange(json: unknown, sequence?: number): StoredRouteChange {
  const parsed = StoredRouteChangeSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new TerminalError('corrupt_route_change', { sequence, problem: parsed.error.issues[0]?.message ?? 'invalid' });
}
