/** The least a migrator needs from a database connection; implemented for node-postgres and PGlite. */
export interface SqlRunner {
  /** Runs one parameterised statement and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements. */
  exec(sql: string): Promise<void>;
}

interface PgLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

interface PGliteLike extends PgLike {
  exec(sql: string): Promise<unknown>;
}

/** Both clients answer a query alike; they differ in how a script of several statements is sent. */
function runner(client: PgLike, runScript: (sql: string) => Promise<unknown>): SqlRunner {
  return {
    async query<T>(sql: string, params?: unknown[]) {
      return (await client.query(sql, params)).rows as T[];
    },
    async exec(sql: string) {
      await runScript(sql);
    },
  };
}

/** node-postgres runs a parameterless query with the simple protocol, which takes several statements. */
export function pgRunner(client: PgLike): SqlRunner {
  return runner(client, (sql) => client.query(sql));
}

/** PGlite's query takes one statement; exec takes a script. */
export function pgliteRunner(db: PGliteLike): SqlRunner {
  return runner(db, (sql) => db.exec(sql));
}
