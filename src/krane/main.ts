import { runKraneRole } from '../roles/krane-role';

/** `npm run krane`: the same as `npm start -- --role krane` (see src/roles/krane-role.ts for its settings). */
runKraneRole(process.env).catch((err) => {
  console.error(`krane: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
