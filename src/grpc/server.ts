import { setMaxListeners } from 'node:events';
import { createServer } from 'nice-grpc';
import type { ControlPlaneContext } from '../context';
import { DeploymentServiceDefinition } from '../generated/proto/hydra/v1/deployment';
import { requireWorkspaceKey } from './authenticate';
import { exposeCallDeadline } from './call-deadline';
import { deploymentService } from './deployment-service';
import { rejectMalformedRequests, withTolerantDecoders } from './malformed-request';
import { errorsAsStatus } from './status-mapping';

export interface GrpcServerOptions {
  /** Default 127.0.0.1; use 0.0.0.0 (or ::) to serve other hosts. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** How long Rollback/Promote wait for the switch when the client set no deadline; default 60 s. */
  defaultWaitMs?: number;
  /** Upper bound of that wait even for a later client deadline; default 10 min. */
  maxWaitMs?: number;
}

export interface RunningGrpcServer {
  port: number;
  /** `http://host:port`, what createHydraClient takes. */
  url: string;
  /** Waiting Rollback/Promote calls answer UNAVAILABLE at once (their operations go on); then stops. Idempotent. */
  stop(): Promise<void>;
}

export const DEFAULT_SWITCH_WAIT_MS = 60_000;
export const MAX_SWITCH_WAIT_MS = 10 * 60_000;
const SHUTDOWN_GRACE_MS = 10_000;

/** Serves `hydra.v1.DeploymentService` (Deploy, Rollback, Promote) for workspace keys of role deployer or admin. */
export async function startGrpcServer(ctx: ControlPlaneContext, options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const host = options.host ?? '127.0.0.1';
  const stopping = new AbortController();
  // Every waiting Rollback/Promote listens to it while it waits: any number of them at once is expected, not a leak.
  setMaxListeners(0, stopping.signal);
  const server = createServer({ interceptors: [exposeCallDeadline] })
    .use(errorsAsStatus(ctx.logger.child({ component: 'grpc' })))
    .use(requireWorkspaceKey(ctx.prisma))
    .use(rejectMalformedRequests());
  server.add(
    withTolerantDecoders(DeploymentServiceDefinition),
    deploymentService(ctx, {
      defaultWaitMs: options.defaultWaitMs ?? DEFAULT_SWITCH_WAIT_MS,
      maxWaitMs: options.maxWaitMs ?? MAX_SWITCH_WAIT_MS,
      stopping: stopping.signal,
    }),
  );
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const port = await server.listen(`${hostPart}:${options.port}`);
  let stopped: Promise<void> | undefined;
  const stop = async () => {
    stopping.abort();
    // Waiting handlers answer at once when `stopping` fires; the force is for clients that never read the answer.
    const force = setTimeout(() => server.forceShutdown(), SHUTDOWN_GRACE_MS);
    try {
      await server.shutdown();
    } finally {
      clearTimeout(force);
    }
  };
  return { port, url: `http://${hostPart}:${port}`, stop: () => (stopped ??= stop()) };
}
