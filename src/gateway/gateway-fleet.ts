import type { GatewayProcessStats } from './cluster/messages';

/** A running gateway, in this process or spread over worker processes. */
export interface GatewayFleet {
  port: number;
  /** Processes serving the port. */
  processes: number;
  /** Each serving process: the route version it applied and the requests it served. */
  stats(): Promise<GatewayProcessStats[]>;
  /** A full route reload in every process; true when each of them replaced its table. */
  resync(): Promise<boolean>;
  /** The gateway's metrics in Prometheus text format, added up over its processes. */
  metrics(): Promise<string>;
  close(): Promise<void>;
}
