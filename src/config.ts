import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { KRANE_TOKEN_PATTERN, KRANE_TOKEN_RULE } from './krane/auth';
import { prefixFixesTheSlot } from './redis/hash-tag';
import { InvalidRedisUrlError, isClusterUrl, parseRedisUrl, REDIS_URL_SCHEMES } from './redis/redis-url';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || protocols.some((p) => v.startsWith(p)), { message: `must start with ${protocols.join(' or ')}` });

const hostnameLabel = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Every setting deployflow reads from the environment, validated once at start. */
export const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** `auto`: pino-pretty when standard error is a terminal (never in tests or CI), JSON lines otherwise. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  /**
   * Unset: `npm start` runs its own redis-server under DATA_DIR/redis. A Redis Cluster is named by its seed nodes:
   * `redis+cluster://[user:password@]host:port,host:port` (`rediss+cluster://` for TLS).
   */
  REDIS_URL: optionalUrl([...REDIS_URL_SCHEMES]).superRefine((url, ctx) => {
    try {
      if (url) parseRedisUrl(url);
    } catch (err) {
      if (!(err instanceof InvalidRedisUrlError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
    }
  }),
  /** Unset: embedded PostgreSQL (PGlite) under DATA_DIR/pg. */
  DATABASE_URL: optionalUrl(['postgres://', 'postgresql://']),
  /** Connections per process to PostgreSQL (not PGlite, which has one). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  DATA_DIR: z.string().default(path.resolve(process.cwd(), '.data')),
  HOST: z.string().default('127.0.0.1'),
  API_PORT: port(3000),
  GATEWAY_PORT: port(8080),
  /**
   * Where the gateway serves its own metrics (`GET /metrics`, added up over GATEWAY_PROCESSES), on HOST. A port of
   * its own because every path on GATEWAY_PORT belongs to a tenant's app. Unset: not served.
   */
  GATEWAY_METRICS_PORT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(65535).optional()),
  GRPC_PORT: port(50051),
  /**
   * /healthz and /readyz of a single role without an HTTP API of its own (`--role worker`, `gateway`, `krane`).
   * Unset: 8081 for the gateway, 8082 for a worker, 8083 for Krane (src/roles/ports.ts). 0 picks a free port.
   */
  HEALTH_PORT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(65535).optional()),
  /** Unset: the embedded Krane server with the `process` driver. */
  KRANE_URL: optionalUrl(['http://', 'https://', 'dns:', '127.', 'localhost']),
  /**
   * Driver of the embedded Krane: `process` (local child processes, `file:` images) or `docker` (container images on
   * the Docker Engine at DOCKER_HOST). With `docker`, the API refuses `file:` images with a 400.
   */
  KRANE_DRIVER: z.enum(['process', 'docker']).default('process'),
  /**
   * Who owns the containers of the docker driver (their `deployflow.krane` label): it re-adopts and removes only
   * those. Unset: derived from DATA_DIR, so one installation keeps its id across restarts and two do not collide.
   */
  KRANE_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'letters, digits, _ . - only, at most 63, starting with a letter or digit')
    .optional(),
  /** The user-defined bridge network the docker driver puts containers on (created when missing; never `host`). */
  KRANE_DOCKER_NETWORK: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'a docker network name')
    .refine((v) => !['host', 'none'].includes(v), { message: 'must be a bridge network, never host or none' })
    .default('deployflow-tenants'),
  /**
   * The shared secret of the Krane at KRANE_URL (sent as `authorization: Bearer <token>`); required with KRANE_URL.
   * Ignored without it: the embedded Krane draws its own token at every start.
   */
  KRANE_TOKEN: z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || KRANE_TOKEN_PATTERN.test(v), { message: `must be ${KRANE_TOKEN_RULE}` }),
  /** The embedded Krane runs `file:` images from this directory only (they are code run on this machine). */
  KRANE_IMAGES_DIR: z.string().default(path.resolve(process.cwd(), 'examples')),
  APEX_DOMAIN: z
    .string()
    .toLowerCase()
    .refine((v) => v.split('.').every((label) => hostnameLabel.test(label)), { message: 'must be a DNS name such as deploy.localhost' })
    .default('deploy.localhost'),
  /** Queue key prefix; the {braces} are a Redis Cluster hash tag so every key of a queue shares a slot. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_{}-]+$/, 'letters, digits, : _ - and {} only')
    .default('{deployflow}'),
  /** The root API key (creates workspaces). Unset: generated on first start and printed once. */
  ROOT_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  /**
   * Requests per API key per window on /v1 (counted in Redis, so shared by every API process); 0 turns limiting off.
   * Answers carry `RateLimit-Policy` and `RateLimit`; over the limit: 429 with `Retry-After`.
   */
  RATE_LIMIT_REQUESTS: z.coerce.number().int().min(0).max(1_000_000).default(1200),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /**
   * Origins (`https://app.example.com`, comma-separated) whose pages may call the API from a browser, or `*` for any.
   * Unset: no CORS headers at all (browsers keep other sites' pages out).
   */
  CORS_ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((o) => o.trim()).filter((o) => o !== ''))
    .refine((origins) => origins.every((o) => o === '*' || /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(o)), {
      message: 'must be `*` or comma-separated origins such as https://app.example.com (scheme, host, optional port; no path)',
    }),
  /** The API's address as clients reach it: the `servers` entry of /openapi.json (what /docs sends requests to). */
  PUBLIC_API_URL: z
    .string()
    .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'must be an http(s) URL such as https://deploy.example.com')
    .optional(),
  /**
   * HMAC-SHA256 key of the event stream tokens (`POST /v1/deployments/{id}/events/token`): every API process must have
   * the same. Unset: a random key is made once and kept in the database (table ServerSecret), so every process shares
   * it with nothing to configure; set it to rotate (tokens signed with the old key then answer 401).
   */
  EVENTS_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** How long an event stream token stays valid, in seconds (it is checked when a stream connects, not after). */
  EVENTS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  /** An event stream sends a comment line (`: heartbeat`) this often, so proxies and clients see it alive. */
  EVENTS_HEARTBEAT_MS: z.coerce.number().int().min(10).max(600_000).default(15_000),
  /** The `retry:` an event stream sends first: how long an EventSource waits before it reconnects. */
  EVENTS_RETRY_MS: z.coerce.number().int().min(0).max(600_000).default(3_000),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(10),
  POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(1000),
  POLL_DEADLINE_MS: z.coerce.number().int().min(100).default(300_000),
  GATEWAY_RESYNC_MS: z.coerce.number().int().min(100).default(10_000),
  /** Gateway processes sharing GATEWAY_PORT (node:cluster workers); 1 serves from the control plane's own process. */
  GATEWAY_PROCESSES: z.coerce.number().int().min(1).max(64).default(os.availableParallelism()),
  RECONCILE_EVERY_MS: z.coerce.number().int().min(1000).default(30_000),
  /** How long `npm start` waits for a REDIS_URL / DATABASE_URL server to answer before it gives up (exit 1). */
  STARTUP_DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(8_000),
  /** Bound of the start-up pass that brings back the instances of routed deployments (/readyz is 503 until then). */
  STARTUP_RESTORE_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  /** Bound of a shutdown: whatever is still stopping then is abandoned, child processes are killed, exit 1. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(10_000),
}).superRefine((config, ctx) => {
  // On a cluster, BullMQ's scripts and ours touch several keys at once: they must all hash to one slot.
  if (config.REDIS_URL && isClusterUrl(config.REDIS_URL) && !prefixFixesTheSlot(config.QUEUE_PREFIX)) {
    ctx.addIssue({
      code: 'custom',
      path: ['QUEUE_PREFIX'],
      message: 'must hold a Redis Cluster hash tag such as {deployflow} when REDIS_URL names a cluster (every key must share one slot)',
    });
  }
  // A remote Krane refuses calls without its token: better to say so at start than to fail every deploy.
  if (config.KRANE_URL && !config.KRANE_TOKEN) {
    ctx.addIssue({ code: 'custom', path: ['KRANE_TOKEN'], message: 'is required when KRANE_URL is set: the token of that Krane (its KRANE_TOKEN)' });
  }
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the configuration; throws a ConfigError naming each bad variable and what is wrong with it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`);
  throw new ConfigError(problems);
}

/** For entry points: the configuration, or exit 2 with the message naming each bad variable. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}
