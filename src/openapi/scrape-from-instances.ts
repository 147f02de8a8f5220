import { getBytesFromInstance } from '../deployments/instance-http';
import type { OpenapiLimits } from './limits';
import { parseOpenapiInWorker } from './parse-in-child-process';

export type ScrapeOutcome =
  | { found: true; json: string; format: 'json' | 'yaml'; bytes: number; address: string }
  | { found: false; reasons: string[] };

/**
 * Asks each instance in turn for the OpenAPI document at `path` and returns the first one that parses, or why none
 * did. Only the instances' own addresses are asked, redirects are not followed, the body is bounded in size and
 * time, and the parse runs isolated (parse-in-child-process.ts): nothing a tenant serves can stall or exhaust this process.
 */
export async function scrapeOpenapiFromInstances(addresses: readonly string[], path: string, limits: OpenapiLimits): Promise<ScrapeOutcome> {
  const reasons: string[] = [];
  for (const address of addresses) {
    let body: Buffer;
    try {
      const res = await getBytesFromInstance(address, path, { timeoutMs: limits.fetchTimeoutMs, maxBytes: limits.maxBodyBytes });
      if (res.status !== 200) {
        reasons.push(`${address} answered ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''}`);
        continue;
      }
      body = res.body;
    } catch (err) {
      reasons.push(`${address}: ${(err as Error).message}`);
      continue;
    }
    const parsed = await parseOpenapiInWorker(body, limits);
    if (!parsed.ok) {
      reasons.push(`${address}: ${parsed.reason}`);
      continue;
    }
    return { found: true, json: parsed.json, format: parsed.format, bytes: body.length, address };
  }
  return { found: false, reasons: reasons.length > 0 ? reasons : ['no running instance'] };
}
