import type { RouteChangeEvent } from '../routing/publication/route-publication';
import type { RouteSnapshot } from './route-source';

export interface RouteTarget {
  deploymentId: string;
  /** Running instance addresses (`host:port`); empty when the deployment has none. */
  addresses: readonly string[];
}

/** The host part of a Host header, lower case, without `:port` or a trailing dot. */
export function normalizeHostname(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    name = end === -1 ? name : name.slice(0, end + 1);
  } else {
    const colon = name.indexOf(':');
    if (colon !== -1) name = name.slice(0, colon);
  }
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * The gateway's in-memory view of routes and instances. `version` is the last route change it reflects
 * (see route-events); `loaded` is false until the first full snapshot arrived.
 */
export class RouteTable {
  private routes = new Map<string, string>();
  private instances = new Map<string, readonly string[]>();
  private cursors = new Map<string, number>();
  private currentVersion = 0;
  private isLoaded = false;

  get version(): number {
    return this.currentVersion;
  }

  get loaded(): boolean {
    return this.isLoaded;
  }

  get size(): number {
    return this.routes.size;
  }

  /** Replaces everything with a full snapshot taken at (or after) `version`. */
  replace(snapshot: RouteSnapshot, version: number): void {
    const routes = new Map<string, string>();
    for (const route of snapshot.routes) routes.set(normalizeHostname(route.hostname), route.deploymentId);
    const instances = new Map<string, readonly string[]>();
    for (const [deploymentId, addresses] of Object.entries(snapshot.instances)) instances.set(deploymentId, [...addresses]);
    this.routes = routes;
    this.instances = instances;
    for (const id of this.cursors.keys()) if (!instances.has(id)) this.cursors.delete(id);
    this.currentVersion = version;
    this.isLoaded = true;
  }

  /**
   * Applies one published change; `instances` adds or refreshes the addresses of deployments the change
   * points at (the caller loads those the table does not know).
   */
  applyChange(event: RouteChangeEvent, instances: Record<string, string[]> = {}): void {
    for (const [deploymentId, addresses] of Object.entries(instances)) this.instances.set(deploymentId, [...addresses]);
    for (const route of event.routes) {
      const hostname = normalizeHostname(route.hostname);
      if (route.deploymentId === null) this.routes.delete(hostname);
      else this.routes.set(hostname, route.deploymentId);
    }
    this.currentVersion = event.version;
  }

  /** Whether the table holds instance addresses for this deployment. */
  knowsDeployment(deploymentId: string): boolean {
    return (this.instances.get(deploymentId)?.length ?? 0) > 0;
  }

  lookup(host: string): RouteTarget | undefined {
    const deploymentId = this.routes.get(normalizeHostname(host));
    if (deploymentId === undefined) return undefined;
    return { deploymentId, addresses: this.instances.get(deploymentId) ?? [] };
  }

  /** The next address in round-robin order; undefined when the deployment has no running instance. */
  nextAddress(deploymentId: string): string | undefined {
    return this.candidates(deploymentId)[0];
  }

  /**
   * All addresses of the deployment, starting at the next one in round-robin order (the rest are the ones to
   * fall back to, in order). Advances the round robin by one.
   */
  candidates(deploymentId: string): string[] {
    const addresses = this.instances.get(deploymentId) ?? [];
    if (addresses.length === 0) return [];
    const cursor = this.cursors.get(deploymentId) ?? 0;
    const start = cursor % addresses.length;
    this.cursors.set(deploymentId, (start + 1) % addresses.length);
    return [...addresses.slice(start), ...addresses.slice(0, start)];
  }
}
