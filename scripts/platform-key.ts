// `npm run platform-key -- [--role viewer|admin] [--name NAME]`: creates an API key without a workspace, printed once.
// Platform keys open the queue dashboard at /admin/queues (viewer: read-only); they reach no workspace's resources.
import path from 'node:path';
import { createApiKey } from '../src/auth/api-key';
import { loadConfig } from '../src/config';
import { openPglite, openPostgres } from '../src/db/database';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const role = flag('role') ?? 'viewer';
  if (role !== 'viewer' && role !== 'admin') {
    console.error('usage: npm run platform-key -- [--role viewer|admin] [--name NAME]');
    process.exit(2);
  }
  const config = loadConfig();
  const db = config.DATABASE_URL ? openPostgres(config.DATABASE_URL, 1) : await openPglite(path.join(config.DATA_DIR, 'pg'));
  try {
    await db.migrate();
    const { key, record } = await createApiKey(db.prisma, { workspaceId: null, role, name: flag('name') });
    console.log(`platform ${role} key ${record.id} (shown once, keep it): ${key}`);
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
