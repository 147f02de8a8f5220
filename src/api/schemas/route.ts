import { freeText } from '../../operations/text';
import { z } from '@hono/zod-openapi';
import type { Environment, IngressRoute, RouteChange } from '../../generated/prisma/client';
import { RouteSticky } from '../../generated/prisma/enums';
import type { StoredRouteChange } from '../../routing/changes/route-change-types';
import { Timestamp } from './common';
import { gatewayUrl, ROUTED_HOSTNAME } from './deployment';

export const UndoRoutesBody = z
  .strictObject({
    reason: freeText(1000).trim().optional(),
  })
  .openapi('UndoRoutesRequest');

export const RouteSchema = z
  .object({
    ...ROUTED_HOSTNAME,
    environment: z.string().openapi({ description: 'Environment slug.', example: 'production' }),
    deploymentId: z.string(),
    branch: z.string().nullable().openapi({ description: 'For branch routes: the git branch they follow.' }),
    url: z.string().openapi({ example: 'http://api-acme.deploy.localhost:8080/' }),
    updatedAt: Timestamp,
  })
  .openapi('Route');

export const PinSchema = z
  .object({
    isRolledBack: z.boolean(),
    rolledBackAt: Timestamp.nullable(),
    rolledBackBy: z.string().nullable(),
    reason: z.string().nullable(),
    fromDeploymentId: z.string().nullable(),
  })
  .openapi('RollbackPin');

export const ProjectRoutesSchema = z
  .object({
    projectId: z.string(),
    liveDeploymentId: z.string().nullable(),
    pin: PinSchema,
    routes: z.array(RouteSchema).openapi({ description: 'Sorted by environment, sticky kind, hostname.' }),
  })
  .openapi('ProjectRoutes');

export const RouteChangeSchema = z
  .object({
    id: z.string(),
    sequence: z.number().int().openapi({ description: 'Per project, from 1; the order changes were applied in.' }),
    operationId: z.string(),
    operationKind: z.string().nullable(),
    changes: z.array(
      z.object({
        hostname: z.string(),
        sticky: z.enum(RouteSticky),
        fromDeploymentId: z.string().nullable(),
        toDeploymentId: z.string().nullable(),
      }),
    ),
    liveFrom: z.string().nullable(),
    liveTo: z.string().nullable(),
    notes: z.array(z.string()),
    appliedAt: Timestamp,
  })
  .openapi('RouteChange');

export function routeView(r: IngressRoute & { environment: Environment }, gatewayPort: number): z.infer<typeof RouteSchema> {
  return {
    hostname: r.hostname,
    sticky: r.sticky,
    environment: r.environment.slug,
    deploymentId: r.deploymentId,
    branch: r.branch,
    url: gatewayUrl(r.hostname, gatewayPort),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function routeChangeView(rc: RouteChange): z.infer<typeof RouteChangeSchema> {
  const stored = (rc.changes ?? {}) as Partial<StoredRouteChange>;
  return {
    id: rc.id,
    sequence: rc.sequence,
    operationId: rc.operationId,
    operationKind: stored.operationKind ?? null,
    changes: (stored.applied ?? []).map((c) => ({ hostname: c.hostname, sticky: c.sticky, fromDeploymentId: c.fromDeploymentId, toDeploymentId: c.toDeploymentId })),
    liveFrom: rc.liveFrom,
    liveTo: rc.liveTo,
    notes: stored.notes ?? [],
    appliedAt: rc.appliedAt.toISOString(),
  };
}
