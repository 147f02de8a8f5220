import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Database, openPostgres } from '../../src/db/database';
import { readTestServices, TEMPLATE_DATABASE } from './services-file';

export interface TestDatabase extends Database {
  url: string;
  name: string;
  /** Closes the client and drops the database. */
  drop(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: readTestServices().postgresUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database of its own (a copy of the template global-setup migrated). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const services = readTestServices();
  const name = `t_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);
  const url = `postgresql://postgres@127.0.0.1:${services.postgresPort}/${name}`;
  const db = openPostgres(url, 5);
  return {
    ...db,
    url,
    name,
    async drop() {
      await db.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
