/** The declaration the read routes share: a GET that every key of the workspace may call, viewers included. */
import { createRoute, RouteConfig } from '@hono/zod-openapi';
import { callableBy } from './callable-by';

type ReadRouteConfig = Omit<RouteConfig, 'method' | 'path' | 'operationId' | 'tags' | 'security' | 'middleware'>;

/** `readRoute('projects', '/v1/projects/{id}', 'getProject', { summary, request, responses })`. */
export function readRoute<P extends string, const R extends ReadRouteConfig>(tag: string, path: P, operationId: string, config: R) {
  return createRoute({ method: 'get', path, operationId, tags: [tag], ...callableBy('admin', 'deployer', 'viewer'), ...config });
}
