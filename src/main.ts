import { loadConfigOrExit } from './config';
import { roleFrom, type Role, UnknownRoleError } from './roles/role';

/**
 * `npm start [-- --role api|gateway|worker|krane|all]` (or ROLE): the one entry point. `all`, the default, is the whole
 * control plane in one process on embedded defaults; each other role is one part of it, startable alone against
 * shared Redis, PostgreSQL and Krane (src/roles/). `npm run worker` and `npm run krane` are the worker and krane roles.
 */
async function main(): Promise<void> {
  let role: Role;
  try {
    role = roleFrom(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UnknownRoleError)) throw err;
    console.error(`deployflow: cannot start: ${err.message}`);
    process.exit(2);
  }
  // Krane reads only its own variables (it needs neither Redis nor PostgreSQL): the control plane's checks do not apply.
  if (role === 'krane') {
    const { runKraneRole } = await import('./roles/krane-role');
    return runKraneRole(process.env);
  }
  const config = loadConfigOrExit();
  if (role === 'all') {
    const { runAllRole } = await import('./roles/all-role');
    return runAllRole(config);
  }
  const { runSingleRole } = await import('./roles/single-role');
  return runSingleRole(role, config);
}

main().catch((err) => {
  // A port another process holds, a bad port value: one line the operator can act on; anything else with its stack.
  const known = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' || (err as Error).message?.includes('must be a port number');
  console.error(`deployflow: cannot start: ${known ? (err as Error).message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
