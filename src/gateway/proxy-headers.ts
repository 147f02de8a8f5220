import type { IncomingMessage } from 'node:http';
import { namesASharedDomain } from './shared-cookie-domain';

/**
 * Header rewriting on the proxy's hot path, working on the raw `[name, value, name, value, ...]` lists both Node's
 * server and undici use, so no header object is built per request. Names keep their case; comparisons are on the
 * lower-cased name.
 */

// Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection and are never forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

// Request headers the gateway drops besides those: `expect` is answered here already (100 Continue), and the
// x-forwarded-* headers are set by the gateway itself.
const DROPPED_REQUEST = new Set(['expect', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-for']);

/**
 * Header names lower-cased, by their spelling as sent. Clients and apps send the same few names on every request and
 * response, so the hot path looks a name up instead of allocating its lower-case copy each time; bounded, since the
 * names come from outside (past the bound, names are lower-cased as before).
 */
const LOWER_CASE = new Map<string, string>();
const LOWER_CASE_BOUND = 1_024;

export function lowerCaseName(name: string): string {
  let lower = LOWER_CASE.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (LOWER_CASE.size < LOWER_CASE_BOUND) LOWER_CASE.set(name, lower);
  }
  return lower;
}

/** Extra header names a Connection header lists (beyond the usual keep-alive/close), lower case; usually none. */
function namedByConnection(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  // The usual value, one token: nothing named, no split.
  const lower = lowerCaseName(value);
  if (lower === 'keep-alive' || lower === 'close') return undefined;
  let named: string[] | undefined;
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name === '' || name === 'keep-alive' || name === 'close') continue;
    (named ??= []).push(name);
  }
  return named;
}

export interface UpstreamRequestHead {
  /** What goes to the instance: the client's headers minus hop-by-hop ones, plus x-forwarded-for/host/proto. */
  headers: string[];
  /** The Host header as the client sent it; undefined when there was none. */
  host: string | undefined;
  /** Whether a body follows the head (a Content-Length above 0, or a Transfer-Encoding). */
  hasBody: boolean;
}

/** The head of the request to forward, from the client's raw headers, in one pass (two when Connection names headers). */
export function upstreamRequestHead(req: IncomingMessage): UpstreamRequestHead {
  const raw = req.rawHeaders;
  let connection: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 10 && lowerCaseName(raw[i]) === 'connection') connection = connection === undefined ? raw[i + 1] : `${connection},${raw[i + 1]}`;
  }
  const named = namedByConnection(connection);
  const headers: string[] = [];
  let host: string | undefined;
  let forwardedFor: string | undefined;
  let contentLength: string | undefined;
  let chunked = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const lower = lowerCaseName(name);
    const value = raw[i + 1];
    if (lower === 'host') {
      // Node keeps the first of repeated Host headers; so does the gateway (the instance must see one).
      if (host !== undefined) continue;
      host = value;
    } else if (lower === 'content-length') {
      if (contentLength !== undefined) continue;
      contentLength = value;
    } else if (lower === 'x-forwarded-for') {
      forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
      continue;
    } else if (HOP_BY_HOP.has(lower)) {
      if (lower === 'transfer-encoding') chunked = true;
      continue;
    } else if (DROPPED_REQUEST.has(lower) || (named !== undefined && named.includes(lower))) {
      continue;
    }
    headers.push(name, value);
  }
  const client = req.socket.remoteAddress ?? '';
  headers.push('x-forwarded-for', forwardedFor === undefined ? client : `${forwardedFor}, ${client}`, 'x-forwarded-host', host ?? '', 'x-forwarded-proto', 'http');
  return { headers, host, hasBody: chunked || (contentLength !== undefined && contentLength !== '0') };
}

/**
 * The instance's response headers as the client gets them: hop-by-hop ones dropped (Node frames the body itself),
 * cookies for a domain all tenants share dropped (`shared-cookie-domain.ts`; with `apex`) and `x-deployment-id` set
 * to the deployment that answered, whatever the instance said.
 */
export function downstreamResponseHeaders(raw: Buffer[] | string[], deploymentId: string, apex?: string): string[] {
  // One pass: a Connection header is hop-by-hop itself, and the names it lists (rare) are taken out afterwards.
  let connection: string | undefined;
  const headers: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    // latin1: header bytes pass through as they came (Node writes them back the same way).
    const name = latin1(raw[i]);
    const lower = lowerCaseName(name);
    if (lower === 'connection') {
      const value = latin1(raw[i + 1]);
      connection = connection === undefined ? value : `${connection},${value}`;
      continue;
    }
    if (HOP_BY_HOP.has(lower) || lower === 'x-deployment-id') continue;
    const value = latin1(raw[i + 1]);
    if (apex !== undefined && lower === 'set-cookie' && namesASharedDomain(value, apex)) continue;
    headers.push(name, value);
  }
  const named = namedByConnection(connection);
  const kept = named === undefined ? headers : withoutNamed(headers, named);
  kept.push('x-deployment-id', deploymentId);
  return kept;
}

function latin1(value: Buffer | string): string {
  return typeof value === 'string' ? value : value.toString('latin1');
}

/** The header list without the (lower-case) names a Connection header listed. */
function withoutNamed(headers: string[], named: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < headers.length; i += 2) if (!named.includes(lowerCaseName(headers[i]))) kept.push(headers[i], headers[i + 1]);
  return kept;
}
