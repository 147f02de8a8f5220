import type { Config } from '../config';
import type { Role } from './role';

type SharedVariable = 'REDIS_URL' | 'DATABASE_URL' | 'KRANE_URL' | 'KRANE_TOKEN';

/**
 * What a single role must be pointed at. Roles run as separate processes that must see one state, so none of them can
 * use an embedded Redis, PostgreSQL or Krane: those are `all`'s alone. (Krane itself needs only its token, which
 * its own entry point checks.)
 */
const NEEDS: Record<Exclude<Role, 'all' | 'krane'>, SharedVariable[]> = {
  api: ['REDIS_URL', 'DATABASE_URL'],
  gateway: ['REDIS_URL', 'DATABASE_URL'],
  worker: ['REDIS_URL', 'DATABASE_URL', 'KRANE_URL', 'KRANE_TOKEN'],
};

const HINT: Record<SharedVariable, string> = {
  REDIS_URL: 'e.g. redis://127.0.0.1:6379',
  DATABASE_URL: 'e.g. postgresql://postgres:postgres@127.0.0.1:5432/deployflow',
  KRANE_URL: 'e.g. http://127.0.0.1:50052',
  KRANE_TOKEN: 'the secret the krane role was started with',
};

/** The variables `role` needs that are unset, in a stable order. */
export function missingSharedServices(role: Exclude<Role, 'all' | 'krane'>, config: Config): SharedVariable[] {
  return NEEDS[role].filter((name) => !config[name]);
}

/** One message naming every missing variable, what to set it to, and the way out (`--role all`). */
export function missingSharedServicesMessage(role: Role, missing: SharedVariable[]): string {
  const list = missing.map((name) => `${name} (${HINT[name]})`).join(', ');
  return (
    `--role ${role} needs ${missing.join(', ')}: a single role shares Redis, PostgreSQL and Krane with the other roles, ` +
    `so it cannot run an embedded one. Set ${list}, or run --role all for everything in one process.`
  );
}
