/** What deployflow asks Krane to run: one deployment of `replicas` identical instances. */
export interface KraneDeploymentSpec {
  /** Groups deployments (deployflow uses the workspace); a deployment id is unique within its namespace. */
  namespace: string;
  deploymentId: string;
  /** What to run. The process driver understands `file:<dir>`; the docker driver takes an image reference (`name:tag`, `name@sha256:…`). */
  image: string;
  replicas: number;
  cpuMillicores: number;
  memoryMib: number;
  /** Port the app listens on inside its instance. Drivers that share one network (process) pick a free port instead. */
  port?: number;
  env?: Record<string, string>;
  /** Path that answers 2xx once an instance is healthy; default `/healthz`. */
  healthCheckPath?: string;
  /** The project the deployment belongs to, for drivers that label what they run. */
  projectId?: string;
}

/** One deployment a Krane runs, as `ListDeployments` reports it. */
export interface KraneDeploymentRef {
  namespace: string;
  deploymentId: string;
}

export type KraneInstanceStatus = 'pending' | 'running' | 'terminating';

export interface KraneInstance {
  /** Stable for the life of the instance. */
  id: string;
  /** `host:port` where the instance answers HTTP. */
  address: string;
  /**
   * `pending` until its health check answers 2xx, then `running`; `terminating` once it is stopping or has exited
   * (a crashed instance is never reported running).
   */
  status: KraneInstanceStatus;
  /**
   * Set once the instance has ended by itself and will not come back (it exited or crashed): how it ended and the
   * tail of its output, bounded. Absent while it starts, runs, or is being stopped on request.
   */
  failure?: string;
}

export const DEFAULT_HEALTH_CHECK_PATH = '/healthz';
export const MAX_REPLICAS = 20;
