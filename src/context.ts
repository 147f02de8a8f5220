import type { RedisConnection } from './redis/connection';
import type { Config } from './config';
import type { Database } from './db/database';
import type { Db } from './db/prisma';
import type { OperationProducer } from './engine/producer';
import type { StateEvents } from './engine/state-events';
import type { OperationWatcher } from './events/operation-watcher';
import type { Logger } from './logger';
import type { DeployflowMetrics } from './metrics/deployflow-metrics';
import type { DependencyHealth } from './services/dependency-health';
import type { StartupState } from './services/startup-state';

/** What every part of the control plane (API, gRPC, workers) is handed: no globals. */
export interface AppContext {
  config: Config;
  db: Database;
  prisma: Db;
  /** A shared connection for commands (not for blocking reads or subscriptions). */
  redis: RedisConnection;
  logger: Logger;
  /** Where connection errors go (logged once per change of state); absent in tests that build a bare context. */
  health?: DependencyHealth;
  /** Set by `npm start`: /readyz answers 503 until start-up is done. */
  startup?: StartupState;
  /**
   * Where committed state changes are announced. Absent: the composition root publishes on `redis` under the queue
   * prefix (tests pass their own to lose events on purpose).
   */
  events?: StateEvents;
  /**
   * This process's metrics: the engine reports steps and operations to it, the API renders it on GET /metrics.
   * Absent: the API keeps its own (request metrics only) and the engine reports to nobody.
   */
  metrics?: DeployflowMetrics;
}

/** The API and gRPC servers also start operations: the engine's producer side (no workers needed). */
export interface ControlPlaneContext extends AppContext {
  operations: OperationProducer;
  /** This process's one watcher of state events: `?wait`, gRPC waits and event streams wait through it. */
  watcher: OperationWatcher;
}
