import type { RouteChangeEvent } from '../routing/publication/route-publication';
import type { RouteSnapshot } from './route-source';

export interface RouteTarget {
  deploymentId: string;
  /** Running instance addresses (`host:port`); empty when the deployment has none. */
  addresses: readonly string[];
}

/**
 * What a hostname resolves to: a deployment and its running instances. Every hostname routed to the deployment
 * shares this one object, so a request needs one map lookup and no allocation to find where it goes, and the round
 * robin is per deployment whatever name reached it.
 */
export class Backend {
  /** `http://host:port` of each address, in the same order: the key of the upstream's connection pool. */
  origins: readonly string[] = [];
  private addressList: readonly string[] = [];
  private cursor = 0;

  constructor(readonly deploymentId: string) {}

  get addresses(): readonly string[] {
    return this.addressList;
  }

  setAddresses(addresses: readonly string[]): void {
    this.addressList = [...addresses];
    this.origins = this.addressList.map((address) => `http://${address}`);
    if (this.cursor >= this.addressList.length) this.cursor = 0;
  }

  /** Index (into `origins`) of the instance to try first for the next request; advances the round robin. */
  nextStart(): number {
    const count = this.addressList.length;
    if (count === 0) return 0;
    const start = this.cursor < count ? this.cursor : 0;
    this.cursor = start + 1 === count ? 0 : start + 1;
    return start;
  }
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
  /** Normalized hostname → the backend of the deployment it routes to. */
  private routes = new Map<string, Backend>();
  /** Deployment id → its backend; a deployment whose instances are not known has none or an empty one. */
  private backends = new Map<string, Backend>();
  /** Project id → sequence of the last RouteChange the table reflects (see RouteChange.sequence). */
  private sequences = new Map<string, number>();
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

  private backendOf(deploymentId: string, backends: Map<string, Backend>): Backend {
    let backend = backends.get(deploymentId);
    if (!backend) {
      backend = new Backend(deploymentId);
      backends.set(deploymentId, backend);
    }
    return backend;
  }

  /** Replaces everything with a full snapshot taken at (or after) `version`. */
  replace(snapshot: RouteSnapshot, version: number): void {
    const backends = new Map<string, Backend>();
    for (const [deploymentId, addresses] of Object.entries(snapshot.instances)) {
      // Reuse the backend object so the round robin carries on where it was across periodic reloads.
      const backend = this.backends.get(deploymentId) ?? new Backend(deploymentId);
      backend.setAddresses(addresses);
      backends.set(deploymentId, backend);
    }
    const routes = new Map<string, Backend>();
    for (const route of snapshot.routes) {
      routes.set(normalizeHostname(route.hostname), this.backendOf(route.deploymentId, backends));
    }
    this.routes = routes;
    this.backends = backends;
    this.sequences = new Map(Object.entries(snapshot.sequences ?? {}));
    this.currentVersion = version;
    this.isLoaded = true;
  }

  /**
   * Whether the event carries a project change the table already reflects or has seen superseded: a replay of an
   * older RouteChange, which must not move any route back.
   */
  isSuperseded(event: RouteChangeEvent): boolean {
    if (event.sequence === undefined) return false;
    return event.sequence <= (this.sequences.get(event.projectId) ?? 0);
  }

  /**
   * Applies one published change; `instances` adds or refreshes the addresses of deployments the change
   * points at (the caller loads those the table does not know). A superseded change only advances the version.
   */
  applyChange(event: RouteChangeEvent, instances: Record<string, string[]> = {}): void {
    if (this.isSuperseded(event)) {
      this.currentVersion = event.version;
      return;
    }
    if (event.sequence !== undefined) this.sequences.set(event.projectId, event.sequence);
    for (const [deploymentId, addresses] of Object.entries(instances)) this.backendOf(deploymentId, this.backends).setAddresses(addresses);
    for (const route of event.routes) {
      const hostname = normalizeHostname(route.hostname);
      if (route.deploymentId === null) this.routes.delete(hostname);
      else this.routes.set(hostname, this.backendOf(route.deploymentId, this.backends));
    }
    this.currentVersion = event.version;
  }

  /** Whether the table holds instance addresses for this deployment. */
  knowsDeployment(deploymentId: string): boolean {
    return (this.backends.get(deploymentId)?.addresses.length ?? 0) > 0;
  }

  /**
   * The hot path: the backend for a Host header. Route keys are normalized, so a header that matches one as it is
   * (the usual case: no port, lower case) needs no normalizing at all.
   */
  resolve(host: string): Backend | undefined {
    return this.routes.get(host) ?? this.routes.get(normalizeHostname(host));
  }

  lookup(host: string): RouteTarget | undefined {
    const backend = this.resolve(host);
    if (backend === undefined) return undefined;
    return { deploymentId: backend.deploymentId, addresses: backend.addresses };
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
    const backend = this.backends.get(deploymentId);
    if (!backend || backend.addresses.length === 0) return [];
    const addresses = backend.addresses;
    const start = backend.nextStart();
    return [...addresses.slice(start), ...addresses.slice(0, start)];
  }
}
