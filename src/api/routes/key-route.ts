/** The declaration the /v1/keys routes share: only a workspace's admin keys manage its keys. */
import { createRoute, RouteConfig } from '@hono/zod-openapi';
import { callableBy } from './callable-by';

type KeyRouteConfig = Omit<RouteConfig, 'method' | 'path' | 'operationId' | 'tags' | 'security' | 'middleware'>;

/** `keyRoute('delete', '/v1/keys/{id}', 'revokeApiKey', { summary, request, responses })`. */
export function keyRoute<M extends RouteConfig['method'], P extends string, const R extends KeyRouteConfig>(method: M, path: P, operationId: string, config: R) {
  return createRoute({ method, path, operationId, tags: ['keys'], ...callableBy('admin'), ...config });
}
