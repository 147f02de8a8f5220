import { ClientMiddleware, createChannel, createClientFactory, Metadata } from 'nice-grpc';
import { DeploymentServiceClient, DeploymentServiceDefinition } from '../generated/proto/hydra/v1/deployment';

export interface HydraClient extends DeploymentServiceClient {
  /** Closes the channel. */
  close(): void;
}

/**
 * A typed `hydra.v1.DeploymentService` client (deploy, rollback, promote) at `url` (`http://host:port` or `host:port`)
 * whose calls carry `authorization: Bearer <apiKey>`. Without apiKey calls go unauthenticated (they answer UNAUTHENTICATED).
 * Errors arrive as nice-grpc `ClientError` with `code` (a `Status`) and `details`.
 */
export function createHydraClient(url: string, apiKey?: string): HydraClient {
  const channel = createChannel(url);
  const bearer: ClientMiddleware = async function* bearer(call, options) {
    const metadata = Metadata(options.metadata);
    if (apiKey !== undefined && !metadata.has('authorization')) metadata.set('authorization', `Bearer ${apiKey}`);
    return yield* call.next(call.request, { ...options, metadata });
  };
  const client = createClientFactory().use(bearer).create(DeploymentServiceDefinition, channel);
  return Object.assign(client, { close: () => channel.close() });
}
