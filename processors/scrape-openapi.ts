import { z } from 'zod';
import { deployFactsOf } from '../src/deployments/deploy-facts';
import { transitionDeployment } from '../src/deployments/deployment-status';
import { DEFAULT_OPENAPI_LIMITS, OpenapiLimits } from '../src/openapi/limits';
import { scrapeOpenapiFromInstances } from '../src/openapi/scrape-from-instances';
import { fetchMetadata } from './fetch-metadata';
import { pollInstances } from './poll-instances';
import { deployStep, type StepSettings } from './services';

export interface ScrapeResult {
  found: boolean;
  /** Where the spec came from, or why it was not stored (404, timeout, too large, too deep, not JSON/YAML …). */
  detail: string;
  bytes?: number;
}

/** What this step keeps across runs of the same job (BullMQ re-runs a job whose process died: a "stall"). */
const ScrapeState = z.object({
  /** Set while a fetch and parse is under way; found set at the start of a run, that run was interrupted. */
  scrapeInFlight: z.boolean().optional(),
  scrapeInterruptions: z.number().int().min(0).optional(),
});

/**
 * Runs of this step that may be interrupted (the process died mid-scrape) before it gives up on the spec. Parsing is
 * isolated, so a tenant's document cannot kill the process; this is the backstop if anything else about a scrape
 * ever does, so that it cannot become a crash loop, nor use up BullMQ's stall allowance and fail the deploy.
 */
export const MAX_SCRAPE_INTERRUPTIONS = 2;

export function openapiLimitsFor(settings: Pick<StepSettings, 'instanceHttpTimeoutMs' | 'openapiMaxBytes'>): OpenapiLimits {
  return { ...DEFAULT_OPENAPI_LIMITS, fetchTimeoutMs: settings.instanceHttpTimeoutMs, maxBodyBytes: settings.openapiMaxBytes };
}

/**
 * Status "network", then fetches the app's OpenAPI document from the healthy instances (scrape-from-instances.ts:
 * instance addresses only, no redirects, bounded body and time, parsed in a capped worker thread). No spec is an
 * outcome, recorded as "not stored: <reason>", never a failure of the deploy.
 */
export const scrapeOpenapi = deployStep({
  name: 'scrape-openapi',
  cancellable: true,
  needs: { poll: pollInstances, meta: fetchMetadata },
  state: ScrapeState,
  async run({ services, data, needs, state, saveState }): Promise<ScrapeResult> {
    await transitionDeployment(services, data.deploymentId, ['deploying'], 'network');
    // The path is fixed when the deployment is created: fetch-metadata handed it on.
    const { openapiPath } = await deployFactsOf(services.prisma, data.deploymentId, needs.meta);
    const interruptions = (state.scrapeInterruptions ?? 0) + (state.scrapeInFlight ? 1 : 0);
    if (interruptions >= MAX_SCRAPE_INTERRUPTIONS) {
      await saveState({ scrapeInFlight: false, scrapeInterruptions: interruptions });
      return { found: false, detail: `the scrape was interrupted ${interruptions} times (the process running it stopped); not trying again` };
    }
    await saveState({ scrapeInFlight: true, scrapeInterruptions: interruptions });
    let outcome;
    try {
      outcome = await scrapeOpenapiFromInstances(needs.poll.addresses, openapiPath, openapiLimitsFor(services.settings));
      if (outcome.found) {
        await services.prisma.deployment.update({ where: { id: data.deploymentId }, data: { openapiSpec: outcome.json, openapiFetchedAt: new Date() } });
      }
    } finally {
      // Finished or failed with an error (retried as usual): either way not interrupted.
      await saveState({ scrapeInFlight: false });
    }
    return outcome.found
      ? { found: true, detail: `from ${outcome.address}${openapiPath} (${outcome.format.toUpperCase()})`, bytes: outcome.bytes }
      : { found: false, detail: outcome.reasons.join('; ') };
  },
  summarize: (o) => (o.found ? `spec stored (${o.bytes} bytes) ${o.detail}` : `not stored: ${o.detail}`),
});
