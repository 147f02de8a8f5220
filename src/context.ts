import type { Redis } from 'ioredis';
import type { Config } from './config';
import type { Database } from './db/database';
import type { Db } from './db/prisma';
import type { Engine } from './engine/engine';
import type { OperationEvents } from './events/operation-events';
import type { Logger } from './logger';
import type { DependencyHealth } from './services/dependency-health';
import type { StartupState } from './services/startup-state';

/** What every part of the control plane (API, gRPC, workers) is handed: no globals. */
export interface AppContext {
  config: Config;
  db: Database;
  prisma: Db;
  /** A shared connection for commands (not for blocking reads or subscriptions). */
  redis: Redis;
  logger: Logger;
  /** Where connection errors go (logged once per change of state); absent in tests that build a bare context. */
  health?: DependencyHealth;
  /** Set by `npm start`: /readyz answers 503 until start-up is done. */
  startup?: StartupState;
  /**
   * Where the engine announces committed state changes. Absent: `createEngine` publishes on `redis` under the queue
   * prefix (tests pass their own to lose events on purpose).
   */
  events?: OperationEvents;
}

/** The API and gRPC servers also enqueue operations. */
export interface ControlPlaneContext extends AppContext {
  engine: Engine;
}
