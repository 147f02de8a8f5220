/** What deployflow asks Krane to run: one deployment of `replicas` identical instances. */
export interface KraneDeploymentSpec {
  /** Groups deployments (deployflow uses the workspace); a deployment id is unique within its namespace. */
  namespace: string;
  deploymentId: string;
  /** What to run. The process driver understands `file:<dir>`; a docker driver would take an image reference. */
  image: string;
  replicas: number;
  cpuMillicores: number;
  memoryMib: number;
  /** Port the app listens on inside its instance. Drivers that share one network (process) pick a free port instead. */
  port?: number;
  env?: Record<string, string>;
  /** Path that answers 2xx once an instance is healthy; default `/healthz`. */
  healthCheckPath?: string;
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
}

export const DEFAULT_HEALTH_CHECK_PATH = '/healthz';
export const MAX_REPLICAS = 20;
