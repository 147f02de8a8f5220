import type { GatewayService } from '../../src/gateway';
import type { PolicySnapshot } from '../../src/releases/release-policy';
import { POLICY_DEFAULTS, savePolicy } from '../../src/releases/release-policy';
import type { Release } from '../../src/generated/prisma/client';
import { EngineHarness, EngineHarnessOptions, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';
import { startSteadyLoad, type SteadyLoad, type SteadyLoadSample } from '../support/steady-load';

/**
 * A project on the real engine with a gateway: v1 of examples/hello-api live, then releases of other versions under
 * steady traffic through the gateway to the live hostname.
 */
export interface ReleaseWorld {
  h: EngineHarness;
  gateway: GatewayService;
  workspaceId: string;
  projectId: string;
  environmentId: string;
  liveHostname: string;
  /** The live deployment the tests compare with (v1 at first). */
  v1: string;
  setPolicy(policy: Partial<PolicySnapshot> & Pick<PolicySnapshot, 'stages'>): Promise<void>;
  /** Deploys hello-api with `env` to production and waits for the deploy to end. */
  deploy(env: Record<string, string>): Promise<{ deploymentId: string; operationId: string }>;
  load(rps: number, clients?: number): SteadyLoad;
  releaseOf(canary: string): Promise<Release>;
  waitForRelease(canary: string, until: (r: Release) => boolean, timeoutMs: number): Promise<Release>;
  close(): Promise<void>;
}

export async function openReleaseWorld(options: EngineHarnessOptions & { beforeDeploy?: (h: EngineHarness) => void } = {}): Promise<ReleaseWorld> {
  const h = await startEngineHarness(options);
  options.beforeDeploy?.(h);
  const gateway = await h.startGateway();
  const { workspace, project, production } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
  const deploy = async (env: Record<string, string>) => {
    const started = await h.deploy({ projectId: project.id, image: HELLO_API, runtime: { env } }, workspace.id);
    const op = await h.waitForOperation(started.operationId, 60_000);
    if (op.state !== 'succeeded') throw new Error(`deploy ${started.deploymentId} ${op.state}: ${op.errorMessage}`);
    return started;
  };
  const v1 = (await deploy({ VERSION: '1' })).deploymentId;
  const live = await h.db.prisma.ingressRoute.findFirstOrThrow({ where: { projectId: project.id, sticky: 'live' } });
  const loads: SteadyLoad[] = [];
  const world: ReleaseWorld = {
    h,
    gateway,
    workspaceId: workspace.id,
    projectId: project.id,
    environmentId: production.id,
    liveHostname: live.hostname,
    v1,
    async setPolicy(policy) {
      await savePolicy(h.db.prisma, project.id, production.id, {
        advance: POLICY_DEFAULTS.advance,
        maxErrorRateIncreasePoints: POLICY_DEFAULTS.maxErrorRateIncreasePoints,
        maxP95IncreasePercent: POLICY_DEFAULTS.maxP95IncreasePercent,
        minP95IncreaseMs: POLICY_DEFAULTS.minP95IncreaseMs,
        minRequests: POLICY_DEFAULTS.minRequests,
        judgeWindowSeconds: POLICY_DEFAULTS.judgeWindowSeconds,
        healthWatchSeconds: null,
        ...policy,
      });
    },
    deploy,
    load(rps, clients = 8) {
      const load = startSteadyLoad({ url: `http://127.0.0.1:${gateway.port}`, host: live.hostname, rps, clients });
      loads.push(load);
      return load;
    },
    releaseOf: (canary) => h.db.prisma.release.findFirstOrThrow({ where: { canaryDeploymentId: canary } }),
    async waitForRelease(canary, until, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const release = await h.db.prisma.release.findFirst({ where: { canaryDeploymentId: canary } });
        if (release && until(release)) return release;
        if (Date.now() > deadline) throw new Error(`release of ${canary} not as expected after ${timeoutMs} ms: ${JSON.stringify(release)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await Promise.all(loads.map((l) => l.stop().catch(() => undefined)));
      await h.close();
    },
  };
  return world;
}

/** Each client's samples in [from, to]: the deployments that answered it, in order, repeats collapsed. */
export function sidesPerClient(samples: SteadyLoadSample[], from: number, to: number): Map<number, string[]> {
  const sides = new Map<number, string[]>();
  for (const s of samples) {
    if (s.at < from || s.at > to || !s.deploymentId) continue;
    const seen = sides.get(s.client) ?? [];
    if (seen[seen.length - 1] !== s.deploymentId) seen.push(s.deploymentId);
    sides.set(s.client, seen);
  }
  return sides;
}
