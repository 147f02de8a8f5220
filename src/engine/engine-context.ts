import type { RedisConnection } from '../redis/connection';
import type { Db } from '../db/prisma';
import { prismaSql, type Sql } from '../db/sql';
import type { Logger } from '../logger';
import type { DependencyHealth } from '../services/dependency-health';
import type { EngineObserver } from './engine-observer';
import type { EngineQueues } from './queues';
import type { EngineSettings } from './settings';
import type { StateEvents } from './state-events';

/**
 * What the engine itself works with, whoever runs it (a producer-only API process or a worker process): the
 * Operation and DeploymentStep tables, a Redis connection for commands, the queues, its settings.
 */
export interface EngineContext {
  prisma: Db;
  /**
   * The same database past Prisma's client runtime (src/db/sql.ts): the statements of every step (its start, its
   * success, its operation's end) go here.
   */
  sql: Sql;
  /** A shared connection for commands (not for blocking reads or subscriptions). */
  redis: RedisConnection;
  queues: EngineQueues;
  settings: EngineSettings;
  logger: Logger;
  /** Where connection errors go (logged once per change of state). */
  health?: DependencyHealth;
  /** Every operation and step row write is announced here once it committed (see state-events.ts). */
  events: StateEvents;
  /** Who measures the engine (step and operation ends); `noEngineObserver` when nobody does. */
  observer: EngineObserver;
}

/**
 * What the functions that write operation and step rows need: the database, and where to announce the change. Without
 * `sql` (a caller holding only a Prisma client) their statements go through `prisma`.
 */
export type StateWriter = Pick<EngineContext, 'prisma' | 'events'> & { sql?: Sql };

/** Where a writer's statements go: its direct path, or its Prisma client. */
export function writerSql(writer: StateWriter): Sql {
  return writer.sql ?? prismaSql(writer.prisma);
}
