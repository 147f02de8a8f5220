import { sign, verify } from 'hono/jwt';
import { JwtTokenExpired } from 'hono/utils/jwt/types';
import type { Db } from '../db/prisma';
import { ApiError } from '../errors';
import { isKeyActive } from './api-key';
import type { AuthContext } from './auth-context';
import { sharedServerSecret } from './server-secret';

/** The audience of event stream tokens: a token with another audience (or an API key) is refused, and these are refused everywhere else. */
export const EVENT_STREAM_AUDIENCE = 'deployflow:deployment-events';
const SECRET_NAME = 'events-token-hmac';

/** What an event stream token says: which deployment, in which workspace, minted by which key, until when. */
export interface EventStreamGrant {
  deploymentId: string;
  workspaceId: string;
  apiKeyId: string;
}

export interface MintedToken {
  token: string;
  expiresAt: Date;
}

/**
 * Short-lived tokens that let a client which cannot send headers (a browser `EventSource`) open one deployment's event
 * stream: a JWT (HS256, hono/jwt) with the deployment (`sub`), the workspace (`wid`), the minting key (`kid`), the
 * audience and an expiry. Checked when a stream connects: signature, audience, expiry, the deployment in the path, and
 * that the minting key is still active (a revoked key's tokens stop working at once).
 *
 * The HMAC key: EVENTS_TOKEN_SECRET when configured, else one made once and shared through the database.
 */
export class EventStreamTokens {
  private secret?: Promise<string>;

  constructor(
    private readonly prisma: Db,
    private readonly options: { configuredSecret?: string; ttlSeconds: number },
  ) {}

  async mint(grant: EventStreamGrant, now = new Date()): Promise<MintedToken> {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + this.options.ttlSeconds;
    const token = await sign(
      { sub: grant.deploymentId, wid: grant.workspaceId, kid: grant.apiKeyId, aud: EVENT_STREAM_AUDIENCE, iat, exp },
      await this.key(),
      'HS256',
    );
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /**
   * Who is calling with this token on the event stream of `deploymentId`: a viewer of the token's workspace, as the
   * key that minted it. 401 for a token that is malformed, tampered with, signed with another key, expired, or whose
   * key is no longer active; 403 for a valid token of another deployment.
   */
  async authenticate(token: string, deploymentId: string): Promise<AuthContext> {
    let claims: Record<string, unknown>;
    try {
      claims = await verify(token, await this.key(), { alg: 'HS256', aud: EVENT_STREAM_AUDIENCE });
    } catch (err) {
      throw new ApiError('unauthorized', { problem: err instanceof JwtTokenExpired ? 'token_expired' : 'token_invalid', via: 'token' });
    }
    const { sub, wid, kid } = claims;
    if (typeof sub !== 'string' || typeof wid !== 'string' || typeof kid !== 'string' || typeof claims.exp !== 'number') {
      throw new ApiError('unauthorized', { problem: 'token_invalid', via: 'token' });
    }
    if (sub !== deploymentId) throw new ApiError('forbidden', { rule: 'event_token_scope' });
    const key = await this.prisma.apiKey.findUnique({ where: { id: kid }, select: { workspaceId: true, revokedAt: true, expiresAt: true } });
    if (!key || key.workspaceId !== wid || !isKeyActive(key)) throw new ApiError('unauthorized', { problem: 'token_key_inactive', via: 'token' });
    return { apiKeyId: kid, workspaceId: wid, role: 'viewer', isRoot: false };
  }

  private key(): Promise<string> {
    if (this.options.configuredSecret) return Promise.resolve(this.options.configuredSecret);
    // One read per process; a failed read is not kept, so the next request tries again.
    this.secret ??= sharedServerSecret(this.prisma, SECRET_NAME).catch((err: unknown) => {
      this.secret = undefined;
      throw err;
    });
    return this.secret;
  }
}

const perContext = new WeakMap<object, EventStreamTokens>();

/** The one EventStreamTokens of an app context (the minting route and the stream's authentication share its key). */
export function eventStreamTokensFor(ctx: { prisma: Db; config: { EVENTS_TOKEN_SECRET?: string; EVENTS_TOKEN_TTL_SECONDS: number } }): EventStreamTokens {
  let tokens = perContext.get(ctx.config);
  if (!tokens) {
    tokens = new EventStreamTokens(ctx.prisma, { configuredSecret: ctx.config.EVENTS_TOKEN_SECRET, ttlSeconds: ctx.config.EVENTS_TOKEN_TTL_SECONDS });
    perContext.set(ctx.config, tokens);
  }
  return tokens;
}
