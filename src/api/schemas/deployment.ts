import { z } from '@hono/zod-openapi';
import type { Deployment, DeploymentStep, Environment, IngressRoute, Instance } from '../../generated/prisma/client';
import { DeploymentStatus, InstanceStatus, RouteSticky } from '../../generated/prisma/enums';
import { RECORD_TIMES, Timestamp } from './common';
import { StepSchema, stepView } from './step';

export const DeploymentStatusSchema = z.enum(DeploymentStatus).openapi('DeploymentStatus', {
  description:
    'pending → building → deploying → network → ready; terminal: ready, failed, cancelled, superseded, rolled_back (a release\'s canary that tripped a threshold or was aborted; the only status reached from another terminal one, ready).',
});

const GitSchema = z.object({
  branch: z.string().nullable(),
  commitSha: z.string().nullable(),
  message: z.string().nullable(),
  author: z.string().nullable(),
});

const RuntimeSchema = z.object({
  replicas: z.number().int(),
  cpuMillicores: z.number().int(),
  memoryMib: z.number().int(),
  port: z.number().int(),
  healthCheckPath: z.string(),
  openapiPath: z.string(),
  envNames: z
    .array(z.string())
    .openapi({ description: 'Names of the environment variables given to the instances. Values are never returned: they may be secrets.', example: ['VERSION'] }),
});

export const DeploymentSummarySchema = z
  .object({
    id: z.string().openapi({ example: 'dep_01h2xcejqtf2nbrexx3vqjhp41' }),
    projectId: z.string(),
    environment: z.string().openapi({ description: 'Environment slug.', example: 'production' }),
    environmentId: z.string(),
    status: DeploymentStatusSchema,
    statusReason: z.string().nullable().openapi({ description: 'Why the deployment failed, was cancelled or was superseded.' }),
    failedStep: z.string().nullable(),
    cancelRequestedAt: Timestamp.nullable(),
    supersededBy: z
      .string()
      .nullable()
      .openapi({ description: 'The newer production deploy of the same branch that superseded this one before it was routed (latest wins).' }),
    image: z.string().openapi({ example: 'file:examples/hello-api' }),
    git: GitSchema,
    runtime: RuntimeSchema,
    hasOpenapi: z.boolean().openapi({ description: 'Whether an OpenAPI document was scraped (GET /v1/deployments/{id}/openapi).' }),
    openapiFetchedAt: Timestamp.nullable(),
    isLive: z.boolean().openapi({ description: "Whether this is the project's live deployment." }),
    ...RECORD_TIMES,
  })
  .openapi('DeploymentSummary');

export const InstanceSchema = z
  .object({
    id: z.string(),
    address: z.string().openapi({ example: '127.0.0.1:41234' }),
    status: z.enum(InstanceStatus),
    lastSeenAt: Timestamp,
  })
  .openapi('Instance');

/** A hostname and the kind of route it is: shown on a deployment (Hostname) and in a project's routing table (Route). */
export const ROUTED_HOSTNAME = { hostname: z.string().openapi({ example: 'api-acme.deploy.localhost' }), sticky: z.enum(RouteSticky) };

export const HostnameSchema = z
  .object({
    ...ROUTED_HOSTNAME,
    url: z.string().openapi({ description: 'Where the gateway serves it.', example: 'http://api-acme.deploy.localhost:8080/' }),
  })
  .openapi('Hostname');

export const DeploymentSchema = DeploymentSummarySchema.extend({
  steps: z.array(StepSchema).openapi({ description: 'The timeline, in flow order.' }),
  instances: z.array(InstanceSchema),
  hostnames: z.array(HostnameSchema).openapi({ description: 'Routes that point at this deployment now.' }),
}).openapi('Deployment');

export type DeploymentSummaryView = z.infer<typeof DeploymentSummarySchema>;
export type DeploymentView = z.infer<typeof DeploymentSchema>;

/** A deployment as the views need it: the spec itself stays in the database (up to 5 MiB) unless asked for. */
export type DeploymentRow = Omit<Deployment, 'openapiSpec'> & { environment: Environment; project: { liveDeploymentId: string | null } };

/** Prisma `omit` + `include` giving a DeploymentRow. */
export const DEPLOYMENT_ROW_QUERY = {
  omit: { openapiSpec: true },
  include: { environment: true, project: { select: { liveDeploymentId: true } } },
} as const;

export function deploymentSummaryView(d: DeploymentRow): DeploymentSummaryView {
  const env = d.envVars && typeof d.envVars === 'object' && !Array.isArray(d.envVars) ? Object.keys(d.envVars).sort() : [];
  return {
    id: d.id,
    projectId: d.projectId,
    environment: d.environment.slug,
    environmentId: d.environmentId,
    status: d.status,
    statusReason: d.statusReason,
    failedStep: d.failedStep,
    cancelRequestedAt: d.cancelRequestedAt?.toISOString() ?? null,
    supersededBy: d.supersededById,
    image: d.image,
    git: { branch: d.gitBranch, commitSha: d.gitCommitSha, message: d.gitMessage, author: d.gitAuthor },
    runtime: {
      replicas: d.replicas,
      cpuMillicores: d.cpuMillicores,
      memoryMib: d.memoryMib,
      port: d.port,
      healthCheckPath: d.healthCheckPath,
      openapiPath: d.openapiPath,
      envNames: env,
    },
    // The spec and its fetch time are written together.
    hasOpenapi: d.openapiFetchedAt !== null,
    openapiFetchedAt: d.openapiFetchedAt?.toISOString() ?? null,
    isLive: d.project.liveDeploymentId === d.id,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

/** `http://<hostname>[:port]/`: the address the gateway serves a route on. */
export function gatewayUrl(hostname: string, gatewayPort: number): string {
  return gatewayPort === 80 ? `http://${hostname}/` : `http://${hostname}:${gatewayPort}/`;
}

export function deploymentView(
  d: DeploymentRow,
  parts: { steps: DeploymentStep[]; instances: Instance[]; routes: IngressRoute[]; gatewayPort: number },
): DeploymentView {
  return {
    ...deploymentSummaryView(d),
    steps: parts.steps.map(stepView),
    instances: parts.instances.map((i) => ({ id: i.id, address: i.address, status: i.status, lastSeenAt: i.lastSeenAt.toISOString() })),
    hostnames: parts.routes.map((r) => ({ hostname: r.hostname, sticky: r.sticky, url: gatewayUrl(r.hostname, parts.gatewayPort) })),
  };
}
