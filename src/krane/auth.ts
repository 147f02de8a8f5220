import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Metadata, ServerError, ServerMiddleware, Status } from 'nice-grpc';

/*
 * Krane starts and deletes processes on request, so every call must prove it comes from the control plane: the
 * metadata `authorization: Bearer <KRANE_TOKEN>`, a secret shared by Krane and its clients. Without it any local
 * process could reach the (loopback) port and delete another workspace's live deployment.
 *
 * The embedded Krane draws a new token at every start and hands it to its own client; a standalone Krane
 * (`npm run krane`) and every remote client (`KRANE_URL`) take it from KRANE_TOKEN.
 */

/** Printable ASCII without spaces (it travels in a header), long enough not to be guessed. */
export const KRANE_TOKEN_PATTERN = /^[\x21-\x7e]{32,512}$/;
export const KRANE_TOKEN_RULE = '32 to 512 printable ASCII characters without spaces (e.g. `openssl rand -hex 32`)';

/** Why `token` cannot be used as a Krane token; undefined when it can. */
export function kraneTokenProblem(token: string | undefined): string | undefined {
  if (token === undefined || token === '') return 'is not set';
  if (!KRANE_TOKEN_PATTERN.test(token)) return `must be ${KRANE_TOKEN_RULE}`;
  return undefined;
}

/** A fresh random token (256 bits), for an embedded Krane and its client. */
export function generateKraneToken(): string {
  return randomBytes(32).toString('base64url');
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant time whatever the two values are: both are hashed to 32 bytes first, so even their lengths do not leak. */
export function tokensMatch(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The metadata a client sends with every call. */
export function kraneAuthMetadata(token: string): Metadata {
  return Metadata({ authorization: `Bearer ${token}` });
}

/**
 * Server middleware: a call without the token, or with another one, ends UNAUTHENTICATED before any handler (and
 * so any driver) runs.
 */
export function requireKraneToken(token: string): ServerMiddleware {
  const problem = kraneTokenProblem(token);
  if (problem) throw new Error(`the Krane token ${problem}`);
  return async function* authenticate(call, context) {
    const header = context.metadata.get('authorization');
    if (!header) throw new ServerError(Status.UNAUTHENTICATED, 'missing Krane token: send the metadata authorization: Bearer <KRANE_TOKEN>');
    const match = BEARER.exec(header);
    if (!match || !tokensMatch(match[1], token)) throw new ServerError(Status.UNAUTHENTICATED, 'invalid Krane token');
    return yield* call.next(call.request, context);
  };
}
