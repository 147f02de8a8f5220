import { KraneDeploymentRef, KraneDeploymentSpec, KraneInstance } from './types';

/**
 * Runs deployments on some substrate (local processes, docker, kubernetes). The gRPC server only ever talks to
 * this interface, so a new driver is a new class and nothing else. Specs reaching a driver are already validated
 * for shape (ids, replicas, paths); the driver checks what only it can (e.g. that the image exists).
 *
 * Drivers report failures with the errors below; the server turns each into its gRPC status code. Any other
 * thrown error is reported as INTERNAL.
 */
export interface KraneDriver {
  /** Idempotent: a deployment that exists already is left as it is and reported with `alreadyExisted: true`. */
  create(spec: KraneDeploymentSpec): Promise<{ alreadyExisted: boolean }>;
  /** Throws DeploymentNotFoundError for a deployment the driver does not know. */
  get(namespace: string, deploymentId: string): Promise<KraneInstance[]>;
  /** Stops every instance and forgets the deployment; resolves once they are gone. DeploymentNotFoundError if unknown. */
  delete(namespace: string, deploymentId: string): Promise<void>;
  /** Recent output of each instance, keyed by instance id, where the driver keeps it. */
  logs?(namespace: string, deploymentId: string): Promise<Record<string, string>>;
  /**
   * Every deployment this driver runs, for drivers whose instances outlive the driver (docker): the control plane
   * removes the ones its database says are gone. Drivers whose instances end with them need not offer it.
   */
  list?(): Promise<KraneDeploymentRef[]>;
  /**
   * Releases the driver; calls after it fail with DriverUnavailableError. What happens to the instances is the
   * driver's nature: the process driver stops them (they are its children), the docker driver leaves the
   * containers running so the next start re-adopts them without a gap in serving.
   */
  shutdown(): Promise<void>;
}

export type DriverErrorKind = 'invalid_spec' | 'not_found' | 'conflict' | 'unavailable' | 'resource_exhausted';

/** A failure a driver reports on purpose; `kind` decides the gRPC status the client sees. */
export abstract class KraneDriverError extends Error {
  abstract readonly kind: DriverErrorKind;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request cannot be run as given (unknown image scheme, missing directory, bad field): INVALID_ARGUMENT. */
export class InvalidSpecError extends KraneDriverError {
  readonly kind = 'invalid_spec';
}

/** No such deployment in this namespace: NOT_FOUND. */
export class DeploymentNotFoundError extends KraneDriverError {
  readonly kind = 'not_found';
  constructor(namespace: string, deploymentId: string) {
    super(`deployment ${namespace}/${deploymentId} not found`);
  }
}

/** The deployment is in a state that forbids the call right now (e.g. still being deleted): ABORTED, retry later. */
export class DeploymentConflictError extends KraneDriverError {
  readonly kind = 'conflict';
}

/** The driver cannot serve calls (shut down, its backend unreachable): UNAVAILABLE. */
export class DriverUnavailableError extends KraneDriverError {
  readonly kind = 'unavailable';
}

/** Out of capacity (ports, memory, quota): RESOURCE_EXHAUSTED. */
export class DriverResourceExhaustedError extends KraneDriverError {
  readonly kind = 'resource_exhausted';
}
