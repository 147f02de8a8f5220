import { ClientError, createChannel, createClient, Status } from 'nice-grpc';
import { DeploymentServiceClient, DeploymentServiceDefinition } from '../generated/proto/krane/v1/deployment';
import { InventoryServiceClient, InventoryServiceDefinition } from '../generated/proto/deployflow/krane/v1/inventory';
import { kraneAuthMetadata } from './auth';
import { KraneCall, kraneCallError } from './errors';
import { KraneDeploymentRef, KraneDeploymentSpec, KraneInstance } from './types';
import { instanceFromWire, specToWire } from './wire-mapping';

/** deployflow's view of a Krane: the three calls, with their "already done" answers folded into success. */
export interface KraneClient {
  /** ALREADY_EXISTS counts as success: a retried create must not fail the step that made the first one. */
  create(spec: KraneDeploymentSpec): Promise<{ alreadyExisted: boolean }>;
  /** An unknown deployment (NOT_FOUND) has no instances: `[]`. */
  get(namespace: string, deploymentId: string): Promise<KraneInstance[]>;
  /** NOT_FOUND counts as success: the deployment is gone either way. */
  delete(namespace: string, deploymentId: string): Promise<void>;
  /**
   * Every deployment the Krane runs (deployflow's InventoryService); `undefined` when that Krane does not offer it
   * (UNIMPLEMENTED: Unkey's Krane, or a driver whose instances end with it). Optional so test doubles may omit it.
   */
  list?(): Promise<KraneDeploymentRef[] | undefined>;
  close(): void;
}

export interface KraneClientOptions {
  /** The Krane's shared secret (KRANE_TOKEN), sent with every call as `authorization: Bearer <token>`. */
  token: string;
  /** Deadline of every call; default 10 s. */
  deadlineMs?: number;
}

export const DEFAULT_KRANE_DEADLINE_MS = 10_000;

/**
 * A client for any `krane.v1.DeploymentService` (ours or Unkey's) at `url` (`http://host:port` or `host:port`).
 * Failures arrive as KraneRetryableError / KraneTerminalError carrying the gRPC code.
 */
export function createKraneClient(url: string, options: KraneClientOptions): KraneClient {
  const deadlineMs = options.deadlineMs ?? DEFAULT_KRANE_DEADLINE_MS;
  const metadata = kraneAuthMetadata(options.token);
  const channel = createChannel(url);
  const grpc: DeploymentServiceClient = createClient(DeploymentServiceDefinition, channel);
  const inventory: InventoryServiceClient = createClient(InventoryServiceDefinition, channel);
  let closed = false;

  async function call<T>(name: KraneCall, target: string, run: (options: { signal: AbortSignal; metadata: typeof metadata }) => Promise<T>): Promise<T> {
    // nice-grpc has no deadline of its own: aborting the call cancels it on the wire as a deadline would.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), deadlineMs);
    try {
      return await run({ signal: controller.signal, metadata });
    } catch (err) {
      if (err instanceof ClientError) throw kraneCallError(name, target, err.code, err.details);
      if (controller.signal.aborted) throw kraneCallError(name, target, Status.DEADLINE_EXCEEDED, `no answer within ${deadlineMs} ms`);
      const message = err instanceof Error ? err.message : String(err);
      throw kraneCallError(name, target, Status.UNKNOWN, message);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async create(spec) {
      const target = `${spec.namespace}/${spec.deploymentId}`;
      try {
        await call('CreateDeployment', target, (options) => grpc.createDeployment({ deployment: specToWire(spec) }, options));
        return { alreadyExisted: false };
      } catch (err) {
        if (isGrpcCode(err, Status.ALREADY_EXISTS)) return { alreadyExisted: true };
        throw err;
      }
    },
    async get(namespace, deploymentId) {
      try {
        const response = await call('GetDeployment', `${namespace}/${deploymentId}`, (options) =>
          grpc.getDeployment({ namespace, deploymentId }, options),
        );
        return response.instances.map(instanceFromWire);
      } catch (err) {
        if (isGrpcCode(err, Status.NOT_FOUND)) return [];
        throw err;
      }
    },
    async delete(namespace, deploymentId) {
      try {
        await call('DeleteDeployment', `${namespace}/${deploymentId}`, (options) =>
          grpc.deleteDeployment({ namespace, deploymentId }, options),
        );
      } catch (err) {
        if (isGrpcCode(err, Status.NOT_FOUND)) return;
        throw err;
      }
    },
    async list() {
      try {
        const response = await call('ListDeployments', '*', (options) => inventory.listDeployments({}, options));
        return response.deployments.map((d) => ({ namespace: d.namespace, deploymentId: d.deploymentId }));
      } catch (err) {
        if (isGrpcCode(err, Status.UNIMPLEMENTED)) return undefined;
        throw err;
      }
    },
    close() {
      // Idempotent: owners of an embedded Krane may close the client and also stop the Krane that closes it.
      if (closed) return;
      closed = true;
      channel.close();
    },
  };
}

function isGrpcCode(err: unknown, code: Status): boolean {
  return typeof err === 'object' && err !== null && 'grpcCode' in err && (err as { grpcCode: unknown }).grpcCode === code;
}
