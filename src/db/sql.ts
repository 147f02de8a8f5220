import { AsyncLocalStorage } from 'node:async_hooks';
import { types as pgTypes, type Pool, type PoolClient, type QueryConfig } from 'pg';
import type { Db } from './prisma';
import { statementNames } from './statement-names';

/**
 * The engine's hot statements (a step's start and success, an operation's end: tens per deploy) sent as SQL text with
 * `$1…$n` parameters, past Prisma's client runtime: through Prisma one statement costs about 170 µs of Node CPU,
 * through `pg` with a prepared statement about 70 µs. Both connect to the same pool (database.ts), so a statement sent
 * here and one sent through Prisma see the same data and the process holds no more connections than before.
 *
 * What crosses this boundary is typed alike on node-postgres and PGlite: a `Date` parameter is sent as its ISO instant
 * (the `timestamp(3)` columns Prisma writes hold UTC, whatever the process's time zone), and a `timestamp` column comes
 * back as the `Date` of that UTC instant, as Prisma reads it.
 */
export interface Sql {
  /** Runs one parameterised statement (`$1…$n`) and returns its rows, by column name. */
  query<T = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<T[]>;
  /**
   * `prisma.$transaction(fn, options)` (Prisma's interactive transaction: its BEGIN, isolation, timeouts, COMMIT, and
   * ROLLBACK on any error `fn` throws, rethrown as it was), handing `fn` beside the transaction's Prisma client a `Sql`
   * whose statements run in that same transaction. On node-postgres they go straight to the connection the transaction
   * holds, past Prisma's runtime; elsewhere (PGlite, a Prisma client alone) through the transaction's client.
   */
  transaction<T>(prisma: Pick<Db, '$transaction'>, fn: (tx: TransactionClient, sql: Sql) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

/** What an interactive transaction's callback gets from Prisma. */
export type TransactionClient = Parameters<Parameters<Db['$transaction']>[0]>[0];
export interface TransactionOptions {
  maxWait?: number;
  timeout?: number;
}

/** A transaction whose statements all go through Prisma's transaction client (`prismaSql(tx)`). */
function throughPrisma<T>(prisma: Pick<Db, '$transaction'>, fn: (tx: TransactionClient, sql: Sql) => Promise<T>, options?: TransactionOptions): Promise<T> {
  return prisma.$transaction((tx) => fn(tx, prismaSql(tx)), options);
}

/** PostgreSQL's OID of `timestamp without time zone`, the type of every Prisma `DateTime` column. */
const TIMESTAMP_OID = 1114;

/** `2026-11-29 14:40:51.123` (no zone: Prisma wrote UTC) → that instant. */
function parseUtcTimestamp(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`);
}

function toParameter(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

function toParameters(values: readonly unknown[]): unknown[] {
  return values.map(toParameter);
}

/**
 * node-postgres: each distinct text is sent under a name (prefixed apart from the names Prisma's adapter gives its own
 * statements on the same connections), so a connection parses and plans it once.
 *
 * A transaction (`transaction`) is Prisma's own, on this pool: Prisma's adapter checks out a connection for it with
 * `pool.connect()` (the promise form; `pool.query` uses the callback form) in the async context of the
 * `$transaction` call, and this pool's `connect` notes, for the call that asked (AsyncLocalStorage), the connection
 * checked out there whose first statement is `BEGIN`, so the `Sql` handed to `fn` sends its statements on it: inside
 * Prisma's transaction, past Prisma's runtime. Should no connection have been noted (an adapter that checked it out
 * otherwise, or began otherwise), they go through Prisma's transaction client.
 */
/**
 * Notes `connection` as the transaction's if the first statement sent on it is the transaction's `BEGIN`: a connection
 * checked out in the same async context for anything else (its first statement not a `BEGIN`) is never taken for it,
 * so the direct statements cannot run outside the transaction. The watch ends with that first statement.
 */
function noteIfItBegins(connection: PoolClient, asking: { connection?: PoolClient }): void {
  const own = Object.prototype.hasOwnProperty.call(connection, 'query');
  const original = connection.query;
  connection.query = function (this: PoolClient, ...args: unknown[]) {
    if (own) connection.query = original;
    else delete (connection as Partial<PoolClient>).query;
    const first = args[0] as string | { text?: string } | undefined;
    const text = typeof first === 'string' ? first : first?.text;
    if (typeof text === 'string' && /^\s*BEGIN\b/i.test(text)) asking.connection ??= connection;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as PoolClient['query'];
}

export function pgSql(pool: Pool, names: (query: { sql: string }) => string = statementNames(500, 'dq')): Sql {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === TIMESTAMP_OID ? parseUtcTimestamp : pgTypes.getTypeParser(oid, format)),
  } as QueryConfig['types'];
  const send = async <T>(on: Pick<Pool, 'query'> | PoolClient, text: string, values: readonly unknown[]) => {
    const result = await on.query({ name: names({ sql: text }) || undefined, text, values: toParameters(values), types });
    return result.rows as T[];
  };
  const transactions = new AsyncLocalStorage<{ connection?: PoolClient }>();
  const connect = pool.connect.bind(pool) as (callback?: unknown) => unknown;
  pool.connect = function (callback?: unknown) {
    const asking = callback === undefined ? transactions.getStore() : undefined;
    if (!asking || asking.connection) return connect(callback);
    return (connect() as Promise<PoolClient>).then((connection) => {
      noteIfItBegins(connection, asking);
      return connection;
    });
  } as Pool['connect'];
  const sql: Sql = {
    query: <T>(text: string, values: readonly unknown[] = []) => send<T>(pool, text, values),
    transaction<T>(prisma: Pick<Db, '$transaction'>, fn: (tx: TransactionClient, sql: Sql) => Promise<T>, options?: TransactionOptions) {
      const asking: { connection?: PoolClient } = {};
      return transactions.run(asking, () =>
        prisma.$transaction((tx) => {
          const { connection } = asking;
          if (!connection) return fn(tx, prismaSql(tx));
          const inTransaction: Sql = {
            query: <R>(text: string, values: readonly unknown[] = []) => send<R>(connection, text, values),
            transaction: () => Promise.reject(new Error('a transaction inside a transaction')),
          };
          return fn(tx, inTransaction);
        }, options),
      );
    },
  };
  return sql;
}

interface PGliteLike {
  query<T>(text: string, params?: unknown[], options?: { parsers?: Record<number, (value: string, typeId: number) => unknown> }): Promise<{ rows: T[] }>;
}

/**
 * PGlite (the embedded mode): one connection. A statement sent here while a Prisma interactive transaction is open
 * waits for it to end (PGlite runs `query` exclusive of a transaction), as it would for a pooled connection.
 */
export function pgliteSql(pglite: PGliteLike): Sql {
  const options = { parsers: { [TIMESTAMP_OID]: parseUtcTimestamp } };
  return {
    async query<T>(text: string, values: readonly unknown[] = []) {
      return (await pglite.query<T>(text, toParameters(values), options)).rows;
    },
    // Prisma's PGlite adapter runs the transaction on PGlite's own: a statement sent with `query` meanwhile would wait
    // for it to end, so the transaction's statements go through its client.
    transaction: throughPrisma,
  };
}

/**
 * The same statements through a Prisma client: for a statement that must run inside a Prisma interactive transaction
 * (pass the transaction's client), and for callers that hold only a Prisma client.
 */
export function prismaSql(prisma: Pick<Db, '$queryRawUnsafe'>): Sql {
  return {
    query: <T>(text: string, values: readonly unknown[] = []) => prisma.$queryRawUnsafe<T[]>(text, ...values),
    transaction: throughPrisma,
  };
}

/**
 * A database as its callers hold it: the Prisma client, and the direct path beside it (`Database`, a deploy's
 * services, the engine's context all have both; a caller with only a Prisma client leaves `sql` out).
 */
export interface SqlHolder {
  prisma: Pick<Db, '$queryRawUnsafe'>;
  sql?: Sql;
}

/** Where a holder's statements go: its direct path, or (without one) its Prisma client. */
export function sqlOf(holder: SqlHolder): Sql {
  return holder.sql ?? prismaSql(holder.prisma);
}

/** A statement built with `Prisma.sql` (its `$1…$n` text and its values), run on `sql`. */
export function run<T = Record<string, unknown>>(sql: Sql, statement: { text: string; values: readonly unknown[] }): Promise<T[]> {
  return sql.query<T>(statement.text, statement.values);
}
