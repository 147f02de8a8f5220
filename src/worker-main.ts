import { loadConfigOrExit } from './config';
import { runSingleRole } from './roles/single-role';

/**
 * `npm run worker`: the same as `npm start -- --role worker` — workers only, to scale out (see src/roles/worker-role.ts).
 * Needs REDIS_URL, DATABASE_URL (PostgreSQL), KRANE_URL and KRANE_TOKEN.
 */
runSingleRole('worker', loadConfigOrExit()).catch((err) => {
  console.error(`deployflow worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
