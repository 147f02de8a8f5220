import type { Db } from '../../../src/db/prisma';
import type { DeploymentStatus, Operation, RouteSticky } from '../../../src/generated/prisma/client';
import { newId } from '../../../src/ids';
import { HELLO_API } from '../../support/engine-harness';
import type { ApiHarness } from './api-harness';

/** A project made through the API (so it has production and preview), returned as the API answered it. */
export async function createProject(h: ApiHarness, key: string, slug: string): Promise<{ id: string; slug: string }> {
  const res = await h.call('POST', '/v1/projects', { key, body: { slug, name: slug } });
  if (res.status !== 201) throw new Error(`creating project ${slug}: ${res.status} ${res.text}`);
  return res.body;
}

/**
 * A deployment row written straight to the database, in whatever status a test needs, with no flow behind it.
 * For request-time checks (404, 409, 422 …) that never reach a worker.
 */
export async function seedDeployment(
  prisma: Db,
  input: { projectId: string; environment?: 'production' | 'preview'; status?: DeploymentStatus; live?: boolean; env?: Record<string, string>; openapiSpec?: string },
) {
  const environment = await prisma.environment.findUniqueOrThrow({ where: { projectId_slug: { projectId: input.projectId, slug: input.environment ?? 'production' } } });
  const deployment = await prisma.deployment.create({
    data: {
      id: newId('dep'),
      projectId: input.projectId,
      environmentId: environment.id,
      image: HELLO_API,
      status: input.status ?? 'ready',
      envVars: input.env ?? {},
      openapiSpec: input.openapiSpec ?? null,
      openapiFetchedAt: input.openapiSpec ? new Date() : null,
    },
  });
  if (input.live) await prisma.project.update({ where: { id: input.projectId }, data: { liveDeploymentId: deployment.id } });
  return deployment;
}

/** An operation row with no flow behind it. */
export async function seedOperation(prisma: Db, input: Partial<Operation> & { projectId: string; kind: Operation['kind'] }) {
  return prisma.operation.create({
    data: {
      id: newId('op'),
      requestedBy: 'key_seed',
      ...input,
      result: input.result === null ? undefined : (input.result as object | undefined),
    },
  });
}

/** Waits through GET /v1/operations/{id}?wait until the operation finished (bounded), and returns it. */
export async function waitOverHttp(h: ApiHarness, key: string, operationId: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await h.call('GET', `/v1/operations/${operationId}?wait=10`, { key });
    if (res.status !== 200) throw new Error(`GET /v1/operations/${operationId}: ${res.status} ${res.text}`);
    if (!['queued', 'running'].includes(res.body.state)) return res.body;
    if (Date.now() > deadline) throw new Error(`operation ${operationId} still ${res.body.state} after ${timeoutMs} ms`);
  }
}

/** POST /v1/deployments of hello-api with VERSION, then waits until the deploy finished. */
export async function deployOverHttp(
  h: ApiHarness,
  key: string,
  input: { projectId: string; version: string; environment?: string; branch?: string; env?: Record<string, string> },
) {
  const res = await h.call('POST', '/v1/deployments', {
    key,
    body: {
      projectId: input.projectId,
      environment: input.environment ?? 'production',
      image: HELLO_API,
      git: { branch: input.branch ?? 'main' },
      runtime: { env: { VERSION: input.version, ...input.env } },
    },
  });
  if (res.status !== 202) throw new Error(`POST /v1/deployments: ${res.status} ${res.text}`);
  const operation = await waitOverHttp(h, key, res.body.operationId);
  return { deploymentId: res.body.deploymentId as string, operationId: res.body.operationId as string, operation };
}

/** An ingress route written straight to the database. */
export async function seedRoute(
  prisma: Db,
  input: { projectId: string; deploymentId: string; hostname: string; sticky: RouteSticky; environment?: 'production' | 'preview'; branch?: string },
) {
  const environment = await prisma.environment.findUniqueOrThrow({ where: { projectId_slug: { projectId: input.projectId, slug: input.environment ?? 'production' } } });
  return prisma.ingressRoute.create({
    data: {
      id: newId('rt'),
      hostname: input.hostname,
      projectId: input.projectId,
      environmentId: environment.id,
      deploymentId: input.deploymentId,
      sticky: input.sticky,
      branch: input.branch ?? null,
    },
  });
}

/** A route change (and its operation) written straight to the database, numbered `sequence` within its project. */
export async function seedRouteChange(
  prisma: Db,
  input: { projectId: string; sequence: number; kind: Operation['kind']; moves: Array<{ hostname: string; from: string | null; to: string }>; liveFrom?: string | null; liveTo?: string | null },
) {
  const op = await seedOperation(prisma, { projectId: input.projectId, kind: input.kind, state: 'succeeded' });
  const applied = input.moves.map((m) => ({ hostname: m.hostname, sticky: 'live', environmentId: 'env_x', fromDeploymentId: m.from, toDeploymentId: m.to }));
  return prisma.routeChange.create({
    data: {
      id: newId('rc'),
      operationId: op.id,
      projectId: input.projectId,
      sequence: input.sequence,
      changes: { applied, notes: [`seeded #${input.sequence}`], pinBefore: { isRolledBack: false, rolledBackAt: null, rolledBackBy: null, rollbackReason: null, rolledBackFromDeploymentId: null } },
      liveFrom: input.liveFrom ?? null,
      liveTo: input.liveTo ?? null,
    },
  });
}
