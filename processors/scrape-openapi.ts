import { transitionDeployment } from '../src/engine/deployment-status';
import { getFromInstance } from '../src/engine/instance-http';
import { parseOpenapiDocument } from '../src/engine/openapi-document';
import type { StepModule } from '../src/engine/step-module';
import { DeployStep } from '../src/engine/step-names';
import type { PollResult } from './poll-instances';

export interface ScrapeResult {
  found: boolean;
  /** Why there is no spec (404, timeout, not JSON/YAML, too large …) or where it came from. */
  detail: string;
  bytes?: number;
}

/**
 * Status "network", then fetches the app's OpenAPI document from a running instance (only instance addresses,
 * no redirects, bounded time and size). No spec is an outcome, never a failure of the deploy.
 */
export const scrapeOpenapi: StepModule<ScrapeResult> = {
  name: DeployStep.scrapeOpenapi,
  queue: 'steps',
  cancellable: true,
  async run({ deps, data, outputs }) {
    await transitionDeployment(deps.prisma, data.deploymentId!, ['deploying'], 'network');
    const d = await deps.prisma.deployment.findUniqueOrThrow({ where: { id: data.deploymentId! } });
    const poll = outputs[DeployStep.pollInstances] as PollResult;
    const reasons: string[] = [];
    for (const address of poll.addresses) {
      try {
        const res = await getFromInstance(address, d.openapiPath, { timeoutMs: deps.settings.instanceHttpTimeoutMs, maxBytes: deps.settings.openapiMaxBytes });
        if (res.status !== 200) {
          reasons.push(`${address} answered ${res.status}`);
          continue;
        }
        const spec = parseOpenapiDocument(res.body);
        if (!spec) {
          reasons.push(`${address}: body is neither a JSON nor a YAML document`);
          continue;
        }
        await deps.prisma.deployment.update({ where: { id: d.id }, data: { openapiSpec: JSON.stringify(spec), openapiFetchedAt: new Date() } });
        return { found: true, detail: `from ${address}${d.openapiPath}`, bytes: Buffer.byteLength(res.body) };
      } catch (err) {
        reasons.push(`${address}: ${(err as Error).message}`);
      }
    }
    return { found: false, detail: reasons.join('; ') || 'no running instance' };
  },
  summarize: (o) => (o.found ? `spec stored (${o.bytes} bytes) ${o.detail}` : `no spec: ${o.detail}`),
};
