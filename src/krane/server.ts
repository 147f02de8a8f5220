import { createServer, ServerError, Status } from 'nice-grpc';
import {
  DeploymentServiceDefinition,
  DeploymentServiceImplementation,
  DeploymentStatus,
} from '../generated/proto/krane/v1/deployment';
import { InventoryServiceDefinition, InventoryServiceImplementation } from '../generated/proto/deployflow/krane/v1/inventory';
import { requireKraneToken } from './auth';
import { DriverErrorKind, KraneDriver, KraneDriverError } from './driver';
import { KraneDeploymentRef } from './types';
import { validateDeploymentRequest, validateIds } from './validate-request';
import { instanceToWire } from './wire-mapping';
import { rejectMalformedRequests, withTolerantDecoders } from '../grpc/malformed-request';

export interface KraneServerOptions {
  driver: KraneDriver;
  /** Default 127.0.0.1: Krane starts processes on request and must not be reachable from other hosts by accident. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** The shared secret every call must carry as `authorization: Bearer <token>` (auth.ts); required. */
  token: string;
}

export interface RunningKraneServer {
  /** `http://host:port`, what createKraneClient and KRANE_URL take. */
  url: string;
  port: number;
  /** Stops accepting calls and waits for the ones in flight. Does not stop the driver: its owner does. */
  stop(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 15_000;

const STATUS_OF_KIND: Record<DriverErrorKind, Status> = {
  invalid_spec: Status.INVALID_ARGUMENT,
  not_found: Status.NOT_FOUND,
  conflict: Status.ABORTED,
  unavailable: Status.UNAVAILABLE,
  resource_exhausted: Status.RESOURCE_EXHAUSTED,
};

function toServerError(err: unknown): ServerError {
  if (err instanceof ServerError) return err;
  if (err instanceof KraneDriverError) return new ServerError(STATUS_OF_KIND[err.kind], err.message);
  const message = err instanceof Error ? err.message : String(err);
  return new ServerError(Status.INTERNAL, `driver failed: ${message}`);
}

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toServerError(err);
  }
}

export function kraneServiceImplementation(driver: KraneDriver): DeploymentServiceImplementation {
  return {
    createDeployment: (request) =>
      mapped(async () => {
        const spec = validateDeploymentRequest(request.deployment);
        const { alreadyExisted } = await driver.create(spec);
        if (alreadyExisted) {
          throw new ServerError(Status.ALREADY_EXISTS, `deployment ${spec.namespace}/${spec.deploymentId} already exists`);
        }
        return { status: DeploymentStatus.DEPLOYMENT_STATUS_PENDING };
      }),
    getDeployment: (request) =>
      mapped(async () => {
        validateIds(request.namespace, request.deploymentId);
        const instances = await driver.get(request.namespace, request.deploymentId);
        return { instances: instances.map(instanceToWire) };
      }),
    deleteDeployment: (request) =>
      mapped(async () => {
        validateIds(request.namespace, request.deploymentId);
        await driver.delete(request.namespace, request.deploymentId);
        return {};
      }),
  };
}

/** `ListDeployments` for a driver that can list what it runs. */
export function inventoryServiceImplementation(list: () => Promise<KraneDeploymentRef[]>): InventoryServiceImplementation {
  return {
    listDeployments: () => mapped(async () => ({ deployments: await list() })),
  };
}

/**
 * Serves `krane.v1.DeploymentService` over gRPC in front of a driver, and deployflow's `InventoryService` when the
 * driver can list what it runs (without it, calls to that service answer UNIMPLEMENTED). Every call of either
 * service must present the token (auth.ts); others are answered UNAUTHENTICATED.
 */
export async function startKraneServer(options: KraneServerOptions): Promise<RunningKraneServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer().use(requireKraneToken(options.token)).use(rejectMalformedRequests());
  server.add(withTolerantDecoders(DeploymentServiceDefinition), kraneServiceImplementation(options.driver));
  const { driver } = options;
  if (driver.list) server.add(withTolerantDecoders(InventoryServiceDefinition), inventoryServiceImplementation(() => driver.list!()));
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const port = await server.listen(`${hostPart}:${options.port ?? 0}`);
  let stopped: Promise<void> | undefined;
  const stop = async () => {
    // A graceful shutdown waits for calls in flight; a client that never finishes one must not hold us forever.
    const force = setTimeout(() => server.forceShutdown(), SHUTDOWN_GRACE_MS);
    try {
      await server.shutdown();
    } finally {
      clearTimeout(force);
    }
  };
  return {
    url: `http://${hostPart}:${port}`,
    port,
    stop: () => (stopped ??= stop()),
  };
}
