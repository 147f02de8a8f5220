import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { checkWithin } from '../services/check-within';
import type { StartupState } from '../services/startup-state';

export interface HealthServerOptions {
  /** Named in every answer, so a probe that reaches the wrong container says so. */
  role: string;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** What must answer for the process to be ready (e.g. Redis and PostgreSQL); each bounded by checkWithin. */
  checks: Record<string, () => Promise<unknown>>;
  /** While a step is pending, /readyz is 503 naming it. */
  startup: StartupState;
  /** Also serves GET /metrics (Prometheus text) when given: a worker's steps and operations are measured only there. */
  metrics?: { render(): Promise<string>; contentType: string };
}

export interface RunningHealthServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The health port of a role that has no HTTP API of its own (worker, krane) or whose port belongs to tenants
 * (gateway: every path of every Host there is a deployed app's): `/healthz` says the process is up, `/readyz` that
 * start-up is done and each dependency answers — what compose and a load balancer probe — and, for a worker, its
 * metrics. It serves nothing else.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<RunningHealthServer> {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok', role: options.role }));
  app.get('/readyz', async (c) => {
    const names = Object.keys(options.checks);
    const results = await Promise.all(names.map((name) => checkWithin(options.checks[name])));
    const checks = Object.fromEntries(names.map((name, i) => [name, results[i].result]));
    const failed = names.filter((_, i) => results[i].result !== 'ok');
    if (failed.length > 0) {
      return c.json({ error: { code: 'not_ready', message: `not ready: ${failed.join(', ')} did not answer`, details: { checks } } }, 503);
    }
    const starting = options.startup.pendingStep;
    if (starting) return c.json({ error: { code: 'starting', message: `starting: ${starting}`, details: { checks, startup: starting } } }, 503);
    return c.json({ status: 'ready', role: options.role, checks });
  });
  const { metrics } = options;
  if (metrics) app.get('/metrics', async (c) => c.text(await metrics.render(), 200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }));
  const served = metrics ? '/healthz, /readyz and /metrics' : '/healthz and /readyz';
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `the health port serves only ${served}` } }, 404));
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, () => resolve(s));
    s.once('error', reject);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
