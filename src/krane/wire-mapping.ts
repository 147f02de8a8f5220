import {
  DeploymentRequest,
  DeploymentStatus,
  Instance as WireInstance,
} from '../generated/proto/krane/v1/deployment';
import { KraneDeploymentSpec, KraneInstance, KraneInstanceStatus } from './types';

/** Our spec as the wire message; absent optional fields become proto3 defaults (0, "", {}). */
export function specToWire(spec: KraneDeploymentSpec): DeploymentRequest {
  return {
    namespace: spec.namespace,
    deploymentId: spec.deploymentId,
    image: spec.image,
    replicas: spec.replicas,
    cpuMillicores: spec.cpuMillicores,
    memorySizeMib: spec.memoryMib,
    port: spec.port ?? 0,
    env: { ...(spec.env ?? {}) },
    healthCheckPath: spec.healthCheckPath ?? '',
    projectId: spec.projectId ?? '',
  };
}

const STATUS_TO_WIRE: Record<KraneInstanceStatus, DeploymentStatus> = {
  pending: DeploymentStatus.DEPLOYMENT_STATUS_PENDING,
  running: DeploymentStatus.DEPLOYMENT_STATUS_RUNNING,
  terminating: DeploymentStatus.DEPLOYMENT_STATUS_TERMINATING,
};

export function instanceToWire(instance: KraneInstance): WireInstance {
  return { id: instance.id, address: instance.address, status: STATUS_TO_WIRE[instance.status], failure: instance.failure ?? '' };
}

/**
 * An instance as another Krane reports it. UNSPECIFIED or a status this version does not know is read as
 * `pending`: never healthy until the server says RUNNING.
 */
export function instanceFromWire(instance: WireInstance): KraneInstance {
  const status: KraneInstanceStatus =
    instance.status === DeploymentStatus.DEPLOYMENT_STATUS_RUNNING
      ? 'running'
      : instance.status === DeploymentStatus.DEPLOYMENT_STATUS_TERMINATING
        ? 'terminating'
        : 'pending';
  return { id: instance.id, address: instance.address, status, ...(instance.failure ? { failure: instance.failure } : {}) };
}
