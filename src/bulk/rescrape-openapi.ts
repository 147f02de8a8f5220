import type { Db } from '../db/prisma';
import { NotFoundError, UnprocessableError } from '../errors';
import { getFromInstance } from '../engine/instance-http';
import { parseOpenapiDocument } from '../engine/openapi-document';

export interface OpenapiFetchLimits {
  timeoutMs: number;
  maxBytes: number;
}

/** SPEC §3.1 step 5: 5 s per fetch, 5 MiB per document. */
export const DEFAULT_OPENAPI_FETCH_LIMITS: OpenapiFetchLimits = { timeoutMs: 5_000, maxBytes: 5 * 1024 * 1024 };

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
    throw new UnprocessableError('deployment_not_ready', `deployment ${deployment.id} is ${deployment.status}; only a ready deployment's OpenAPI document can be fetched again`);
  }
  if (deployment.instances.length === 0) throw new UnprocessableError('no_running_instances', `deployment ${deployment.id} has no running instance to fetch from`);
  return { deploymentId: deployment.id, openapiPath: deployment.openapiPath, addresses: deployment.instances.map((i) => i.address) };
}

/**
 * Fetches the OpenAPI document again, under the same rules as the deploy's scrape-openapi step: only the instances'
 * own addresses, no redirects, bounded time and size, JSON or YAML. The first good answer replaces the stored
 * document; when no instance gives one, the stored document is left as it is and the reasons are returned.
 */
export async function rescrapeOpenapi(prisma: Db, target: RescrapeTarget, limits: OpenapiFetchLimits): Promise<RescrapeResult> {
  const reasons: string[] = [];
  for (const address of target.addresses) {
    try {
      const res = await getFromInstance(address, target.openapiPath, limits);
      if (res.status !== 200) {
        reasons.push(`${address} answered ${res.status}`);
        continue;
      }
      const spec = parseOpenapiDocument(res.body);
      if (!spec) {
        reasons.push(`${address}: body is neither a JSON nor a YAML document`);
        continue;
      }
      await prisma.deployment.update({ where: { id: target.deploymentId }, data: { openapiSpec: JSON.stringify(spec), openapiFetchedAt: new Date() } });
      const bytes = Buffer.byteLength(res.body);
      return { found: true, detail: `spec stored (${bytes} bytes) from ${address}${target.openapiPath}`, bytes };
    } catch (err) {
      reasons.push(`${address}: ${(err as Error).message}`);
    }
  }
  return { found: false, detail: `no spec (${reasons.join('; ')}); the stored document is unchanged` };
}
