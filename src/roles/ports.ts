/**
 * Where a role without an HTTP API of its own answers /healthz and /readyz when HEALTH_PORT is unset: one default per
 * role, so a gateway, a worker and a Krane run side by side on one machine without setting anything. A second worker
 * on the same machine needs its own HEALTH_PORT (0 picks a free port and logs it).
 */
export const DEFAULT_HEALTH_PORT = { gateway: 8081, worker: 8082, krane: 8083 } as const;

/** A port from the environment: unset or empty is `fallback`; anything else must be 0-65535 or the start stops. */
export function parsePort(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name} must be a port number (0-65535), got ${JSON.stringify(value)}`);
  }
  return port;
}
