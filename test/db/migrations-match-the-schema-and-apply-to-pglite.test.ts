import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readMigrations } from '../../src/db/migrator';
import { readTestServices } from '../support/services-file';

const ROOT = path.resolve(__dirname, '..', '..');

describe('migration tooling without network', () => {
  // PGlite loads its WebAssembly with a dynamic import that Jest's module sandbox refuses: run the real script instead.
  it('npm run migrate applies every migration to embedded PostgreSQL (PGlite) once', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'deployflow-pglite-'));
    const migrate = () =>
      execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'migrate.ts')], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir },
        encoding: 'utf8',
      });
    try {
      expect(migrate().trim()).toBe(`applied: ${readMigrations().map((m) => m.name).join(', ')}`);
      expect(migrate().trim()).toBe('no pending migrations');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('migrate:create finds nothing to create: the committed migrations are exactly prisma/schema.prisma', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'migration-create.mjs'), 'drift_check'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: readTestServices().postgresUrl },
      encoding: 'utf8',
    });
    expect(out).toMatch(/nothing to create/);
  }, 60_000);
});
