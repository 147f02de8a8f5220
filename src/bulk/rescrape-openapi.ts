import type { Db } from '../db/prisma';
import { NotFoundError, UnprocessableError } from '../errors';
import { DEFAULT_OPENAPI_LIMITS } from '../openapi/limits';
import { scrapeOpenapiFromInstances } from '../openapi/scrape-from-instances';

export interface OpenapiFetchLimits {
  timeoutMs: number;
  maxBytes: number;
}

/** SPEC §3.1 step 5: 5 s per fetch, 5 MiB per document. */
export const DEFAULT_OPENAPI_FETCH_LIMITS: OpenapiFetchLimits = { timeoutMs: DEFAULT_OPENAPI_LIMITS.fetchTimeoutMs, maxBytes: DEFAULT_OPENAPI_LIMITS.maxBodyBytes };

export interface RescrapeTarget {
  deploymentId: string;
  openapiPath: string;
  addresses: string[];
}

export interface RescrapeResult {
  found: boolean;
  /** Where the document came from, or why none was stored. */
  detail: string;
  bytes?: number;
}

/**
 * A ready deployment of the workspace with its running instances (as last recorded; the reconciler keeps them fresh).
 * Refusals are typed errors with the codes the API uses for the same conditions.
 */
export async function findRescrapeTarget(prisma: Db, workspaceId: string, deploymentId: string): Promise<RescrapeTarget> {
  const deployment = await prisma.deployment.findFirst({
    where: { id: deploymentId, project: { workspaceId } },
    include: { instances: { where: { status: 'running' }, orderBy: { createdAt: 'asc' } } },
  });
  if (!deployment) throw new NotFoundError('deployment', deploymentId);
  if (deployment.status !== 'ready') {
    throw new UnprocessableError('deployment_not_ready', { deploymentId: deployment.id, status: deployment.status, purpose: 'rescrape' });
  }
  if (deployment.instances.length === 0) throw new UnprocessableError('no_running_instances', { deploymentId: deployment.id, purpose: 'rescrape' });
  return { deploymentId: deployment.id, openapiPath: deployment.openapiPath, addresses: deployment.instances.map((i) => i.address) };
}

/**
 * Fetches the OpenAPI document again, under the same rules as the deploy's scrape-openapi step
 * (src/openapi/scrape-from-instances.ts: only the instances' own addresses, no redirects, bounded body and time,
 * parsed in a capped worker thread). The first good answer replaces the stored document; when no instance gives
 * one, the stored document is left as it is and the reasons are returned.
 */
export async function rescrapeOpenapi(prisma: Db, target: RescrapeTarget, limits: OpenapiFetchLimits): Promise<RescrapeResult> {
  const outcome = await scrapeOpenapiFromInstances(target.addresses, target.openapiPath, {
    ...DEFAULT_OPENAPI_LIMITS,
    fetchTimeoutMs: limits.timeoutMs,
    maxBodyBytes: limits.maxBytes,
  });
  if (!outcome.found) return { found: false, detail: `no spec (${outcome.reasons.join('; ')}); the stored document is unchanged` };
  await prisma.deployment.update({ where: { id: target.deploymentId }, data: { openapiSpec: outcome.json, openapiFetchedAt: new Date() } });
  return { found: true, detail: `spec stored (${outcome.bytes} bytes) from ${outcome.address}${target.openapiPath}`, bytes: outcome.bytes };
}
