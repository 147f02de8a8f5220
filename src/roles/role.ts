/** The parts of deployflow one process can run; `all` is every part in one process on embedded defaults. */
export const ROLES = ['api', 'gateway', 'worker', 'krane', 'all'] as const;
export type Role = (typeof ROLES)[number];

/** `--role` (or ROLE) names no role: the start stops before anything is read or opened. */
export class UnknownRoleError extends Error {
  constructor(readonly given: string, readonly source: '--role' | 'ROLE') {
    super(`${source} ${given === '' ? 'needs a value' : `"${given}" is not a role`}: valid roles are ${ROLES.join(', ')}`);
    this.name = 'UnknownRoleError';
  }
}

function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * The role this process runs: `--role X` or `--role=X` on the command line (what `npm start -- --role X` passes),
 * else the ROLE variable (what a container sets), else `all`. The command line wins, so a one-off run can override
 * an image's ROLE.
 */
export function roleFrom(argv: readonly string[], env: NodeJS.ProcessEnv): Role {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    let value: string | undefined;
    if (arg === '--role') value = argv[i + 1] ?? '';
    else if (arg.startsWith('--role=')) value = arg.slice('--role='.length);
    else continue;
    if (!isRole(value)) throw new UnknownRoleError(value, '--role');
    return value;
  }
  const fromEnv = env.ROLE;
  if (fromEnv === undefined || fromEnv === '') return 'all';
  if (!isRole(fromEnv)) throw new UnknownRoleError(fromEnv, 'ROLE');
  return fromEnv;
}
