import type { RouteCanaryAssignment, RouteChangeEvent } from '../routing/publication/route-publication';
import type { RouteSnapshot } from './route-source';

export interface RouteTarget {
  deploymentId: string;
  /** Running instance addresses (`host:port`); empty when the deployment has none. */
  addresses: readonly string[];
  /** A weighted route's canary side: its deployment, weight (percent of new clients) and addresses. */
  canary?: { deploymentId: string; weight: number; addresses: readonly string[] };
}

/**
 * What a hostname resolves to: a deployment and its running instances. Every hostname routed to the deployment
 * shares this one object, so a request needs one map lookup and no allocation to find where it goes, and the round
 * robin is per deployment whatever name reached it.
 */
export class Backend {
  /** Tells a plain route (a Backend) from a weighted one in the hot path with one property read. */
  readonly weighted = false;
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

/** The cookie that keeps a client on the side of a weighted route it first got: `<canaryDeploymentId>.<c|s>`. */
export const CANARY_COOKIE = 'df_canary';

/** Where one request of a weighted route goes, and the cookie to set (none when the client's cookie already says it). */
export interface CanarySide {
  readonly backend: Backend;
  readonly setCookie: string | undefined;
}

function canarySide(backend: Backend, cookieValue: string | undefined): CanarySide {
  return { backend, setCookie: cookieValue === undefined ? undefined : `${CANARY_COOKIE}=${cookieValue}; Path=/; HttpOnly; SameSite=Lax` };
}

/**
 * A hostname split between its stable deployment and a canary: `weight` percent of new clients go to the canary.
 * Everything a request needs is built once per route change (the cookie values and the four possible answers), so
 * choosing a side allocates nothing.
 */
export class WeightedRoute {
  readonly weighted = true;
  /** The cookie values naming each side of this canary. */
  readonly canaryValue: string;
  readonly stableValue: string;
  /** A client whose cookie names a side: it stays there, and no cookie is set. */
  readonly keptCanary: CanarySide;
  readonly keptStable: CanarySide;
  /** A new client (or one whose cookie names another canary): the side it was dealt, and the cookie that keeps it. */
  readonly newCanary: CanarySide;
  readonly newStable: CanarySide;

  constructor(
    readonly stable: Backend,
    readonly canary: Backend,
    readonly weight: number,
  ) {
    this.canaryValue = `${canary.deploymentId}.c`;
    this.stableValue = `${canary.deploymentId}.s`;
    this.keptCanary = canarySide(canary, undefined);
    this.keptStable = canarySide(stable, undefined);
    this.newCanary = canarySide(canary, this.canaryValue);
    this.newStable = canarySide(stable, this.stableValue);
  }

  /**
   * The side of one request: the one the client's cookie value names when it names this canary; otherwise dealt at
   * random, `weight` percent to the canary (`random` in [0, 1), Math.random by default).
   */
  sideFor(cookieValue: string | undefined, random: number = Math.random()): CanarySide {
    if (cookieValue === this.canaryValue) return this.keptCanary;
    if (cookieValue === this.stableValue) return this.keptStable;
    return random * 100 < this.weight ? this.newCanary : this.newStable;
  }
}

/** What a hostname resolves to: one deployment, or a stable and a canary. */
export type ResolvedRoute = Backend | WeightedRoute;

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
  /** Normalized hostname → the backend of the deployment it routes to, or its stable and canary backends. */
  private routes = new Map<string, ResolvedRoute>();
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

  /** A route to `deploymentId`, weighted when it has a canary with a weight above 0 (else plain). */
  private routeOf(deploymentId: string, canary: RouteCanaryAssignment | null | undefined, backends: Map<string, Backend>): ResolvedRoute {
    const stable = this.backendOf(deploymentId, backends);
    if (!canary || canary.weight <= 0 || canary.deploymentId === deploymentId) return stable;
    return new WeightedRoute(stable, this.backendOf(canary.deploymentId, backends), Math.min(canary.weight, 100));
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
    const routes = new Map<string, ResolvedRoute>();
    for (const route of snapshot.routes) {
      routes.set(normalizeHostname(route.hostname), this.routeOf(route.deploymentId, route.canary, backends));
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
      else this.routes.set(hostname, this.routeOf(route.deploymentId, route.canary, this.backends));
    }
    this.currentVersion = event.version;
  }

  /** Whether the table holds instance addresses for this deployment. */
  knowsDeployment(deploymentId: string): boolean {
    return (this.backends.get(deploymentId)?.addresses.length ?? 0) > 0;
  }

  /**
   * The hot path: the route for a Host header (a backend, or a stable and a canary to choose from). Route keys are
   * normalized, so a header that matches one as it is (the usual case: no port, lower case) needs no normalizing.
   */
  resolve(host: string): ResolvedRoute | undefined {
    return this.routes.get(host) ?? this.routes.get(normalizeHostname(host));
  }

  lookup(host: string): RouteTarget | undefined {
    const route = this.resolve(host);
    if (route === undefined) return undefined;
    if (!route.weighted) return { deploymentId: route.deploymentId, addresses: route.addresses };
    const { stable, canary } = route;
    return { deploymentId: stable.deploymentId, addresses: stable.addresses, canary: { deploymentId: canary.deploymentId, weight: route.weight, addresses: canary.addresses } };
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
