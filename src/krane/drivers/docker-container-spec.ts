import type Docker from 'dockerode';
import { DEFAULT_HEALTH_CHECK_PATH, KraneDeploymentSpec } from '../types';
import { LABEL } from './docker-labels';

/** The port an app listens on inside its container when the deployment names none. */
export const DEFAULT_CONTAINER_PORT = 8080;

export interface ContainerPlan {
  spec: KraneDeploymentSpec;
  /** The image reference to run (normalized, present on the daemon). */
  image: string;
  name: string;
  instanceId: string;
  index: number;
  owner: string;
  /** A user-defined bridge network; never `host`. */
  network: string;
  pidsLimit: number;
  tmpfsMib: number;
}

/**
 * How one replica runs: the Engine API's create body. Everything a tenant must not have is taken away here — a
 * read-only root filesystem with a small tmpfs at /tmp, no capabilities, no privilege gain through setuid
 * binaries, a bridge network (the host's loopback services are out of reach), the app's port published on
 * 127.0.0.1 only — and the deployment's CPU, memory and process limits are applied. No restart policy: like a
 * process of the process driver, a container that exits stays exited and is reported with its exit code.
 */
export function containerCreateOptions(plan: ContainerPlan): Docker.ContainerCreateOptions {
  const { spec } = plan;
  const port = spec.port ?? DEFAULT_CONTAINER_PORT;
  const portKey = `${port}/tcp`;
  const memoryBytes = spec.memoryMib > 0 ? spec.memoryMib * 1024 * 1024 : undefined;
  const labels: Record<string, string> = {
    [LABEL.krane]: plan.owner,
    [LABEL.workspace]: spec.namespace,
    [LABEL.deployment]: spec.deploymentId,
    [LABEL.instance]: plan.instanceId,
    [LABEL.replica]: String(plan.index),
    [LABEL.port]: String(port),
    [LABEL.healthCheckPath]: spec.healthCheckPath || DEFAULT_HEALTH_CHECK_PATH,
    ...(spec.projectId ? { [LABEL.project]: spec.projectId } : {}),
  };
  // The deployment's env first; Krane's own names last so they win (the API and Krane refuse them in env anyway).
  const env: Record<string, string> = {
    ...(spec.env ?? {}),
    PORT: String(port),
    // The runtime contract: listen on 0.0.0.0:$PORT. Inside its own network namespace that is the container's
    // interface, reached only through the port published on the host's 127.0.0.1.
    HOST: '0.0.0.0',
    DEPLOYMENT_ID: spec.deploymentId,
    INSTANCE_ID: plan.instanceId,
  };
  return {
    name: plan.name,
    Image: plan.image,
    Env: Object.entries(env).map(([name, value]) => `${name}=${value}`),
    Labels: labels,
    ExposedPorts: { [portKey]: {} },
    HostConfig: {
      NetworkMode: plan.network,
      PortBindings: { [portKey]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
      ...(spec.cpuMillicores > 0 ? { NanoCpus: spec.cpuMillicores * 1_000_000 } : {}),
      // Memory and swap equal: no swap beyond the limit.
      ...(memoryBytes ? { Memory: memoryBytes, MemorySwap: memoryBytes } : {}),
      PidsLimit: plan.pidsLimit,
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': `rw,nosuid,nodev,size=${plan.tmpfsMib}m` },
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      // A tiny init as PID 1 forwards SIGTERM and reaps zombies, so apps that never expected to be PID 1 still stop on delete.
      Init: true,
      RestartPolicy: { Name: 'no' },
      // Docker keeps the container's output on disk; bounded, so a chatty app cannot fill the host.
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } },
    },
  };
}
