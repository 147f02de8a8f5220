import { types as pgTypes, type Pool, type QueryConfig } from 'pg';
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
 */
export function pgSql(pool: Pool, names: (query: { sql: string }) => string = statementNames(500, 'dq')): Sql {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === TIMESTAMP_OID ? parseUtcTimestamp : pgTypes.getTypeParser(oid, format)),
  } as QueryConfig['types'];
  return {
    async query<T>(text: string, values: readonly unknown[] = []) {
      const result = await pool.query({ name: names({ sql: text }) || undefined, text, values: toParameters(values), types });
      return result.rows as T[];
    },
  };
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
  };
}

/**
 * The same statements through a Prisma client: for a statement that must run inside a Prisma interactive transaction
 * (pass the transaction's client), and for callers that hold only a Prisma client.
 */
export function prismaSql(prisma: Pick<Db, '$queryRawUnsafe'>): Sql {
  return {
    query: <T>(text: string, values: readonly unknown[] = []) => prisma.$queryRawUnsafe<T[]>(text, ...values),
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
