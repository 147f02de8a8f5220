/**
 * What REDIS_URL names: one Redis server (`redis://`, `rediss://`, as ioredis reads them) or a Redis Cluster
 * (`redis+cluster://[user:password@]host:port,host:port,…`; `rediss+cluster://` for TLS). A cluster URL lists seed
 * nodes: any one that answers is enough, the client learns the rest of the cluster (and later changes) from it.
 */
export type RedisTarget =
  | { kind: 'server'; url: string }
  | { kind: 'cluster'; nodes: { host: string; port: number }[]; username?: string; password?: string; tls: boolean };

export const REDIS_URL_SCHEMES = ['redis://', 'rediss://', 'redis+cluster://', 'rediss+cluster://'] as const;

/** A REDIS_URL that cannot name a server or a cluster; the message says which part is wrong. */
export class InvalidRedisUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRedisUrlError';
  }
}

const CLUSTER_SCHEME = /^(rediss?)\+cluster:\/\/(.*)$/;

export function isClusterUrl(url: string): boolean {
  return CLUSTER_SCHEME.test(url);
}

export function parseRedisUrl(url: string): RedisTarget {
  const cluster = CLUSTER_SCHEME.exec(url);
  if (!cluster) return { kind: 'server', url };
  const tls = cluster[1] === 'rediss';
  let rest = cluster[2];
  // Credentials end at the last '@' (a password may contain '@' when percent-encoded or not).
  const at = rest.lastIndexOf('@');
  let username: string | undefined;
  let password: string | undefined;
  if (at >= 0) {
    const credentials = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = credentials.indexOf(':');
    username = decodeURIComponent(colon >= 0 ? credentials.slice(0, colon) : credentials) || undefined;
    password = colon >= 0 ? decodeURIComponent(credentials.slice(colon + 1)) : undefined;
  }
  // A trailing path or query (e.g. `/0`) has no meaning on a cluster (it has only database 0).
  const hostList = rest.replace(/[/?].*$/, '');
  const nodes = hostList.split(',').map((entry) => {
    const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(entry.trim());
    const port = match ? Number(match[2]) : NaN;
    if (!match || port < 1 || port > 65535) throw new InvalidRedisUrlError(`cluster node "${entry}" must be host:port`);
    return { host: match[1].replace(/^\[|\]$/g, ''), port };
  });
  return { kind: 'cluster', nodes, username, password, tls };
}
