// `npm run migrate`: applies pending migrations (prisma/migrations) to DATABASE_URL, or to the embedded PGlite
// database under DATA_DIR/pg when DATABASE_URL is unset. `npm start` does the same on every start.
import path from 'node:path';
import { loadConfig } from '../src/config';
import { openPglite, openPostgres } from '../src/db/database';

async function main(): Promise<void> {
  const config = loadConfig();
  const db = config.DATABASE_URL ? openPostgres(config.DATABASE_URL, 1) : await openPglite(path.join(config.DATA_DIR, 'pg'));
  try {
    const applied = await db.migrate();
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
