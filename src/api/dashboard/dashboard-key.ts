import type { Context } from 'hono';
import { bearerToken } from '../../auth/require-auth';

/**
 * The API key a dashboard request presents: `Authorization: Bearer <key>` for scripts, or HTTP Basic (any user name,
 * the key as password) so that a browser can prompt for it. A Basic header with an empty password takes the user name.
 */
export function dashboardKey(c: Context): string | undefined {
  const bearer = bearerToken(c);
  if (bearer) return bearer;
  const header = c.req.header('authorization');
  const match = header ? /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(header) : null;
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  const password = colon === -1 ? '' : decoded.slice(colon + 1);
  return password || user || undefined;
}
