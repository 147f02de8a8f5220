#!/usr/bin/env node
// Dev tool: writes a new migration (prisma/migrations/<timestamp>_<name>/migration.sql) from the difference between
// the existing migrations and prisma/schema.prisma, in Prisma's own format, without Prisma's native schema engine
// (which cannot be downloaded here). It drives @prisma/schema-engine-wasm through @prisma/adapter-pg.
// Usage: npm run migrate:create -- <name>     (uses DATABASE_URL for the shadow database, or starts a throwaway PostgreSQL)
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as engineBindings from '@prisma/schema-engine-wasm/schema_engine_bg';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const schemaPath = path.join(root, 'prisma', 'schema.prisma');
const migrationsDir = path.join(root, 'prisma', 'migrations');
const name = (process.argv[2] ?? 'migration').replace(/[^a-z0-9_]+/gi, '_').toLowerCase();

async function loadEngineWasm() {
  // wasm-bindgen "bundler" output: Node 20 cannot import a .wasm module, so instantiate it by hand.
  const wasmPath = path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
  const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), { './schema_engine_bg.js': engineBindings });
  engineBindings.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start?.();
}

function existingMigrations() {
  const dirs = existsSync(migrationsDir)
    ? readdirSync(migrationsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: dirs.map((dir) => ({
      path: dir,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: readFileSync(path.join(migrationsDir, dir, 'migration.sql'), 'utf8') } },
    })),
  };
}

async function withDatabase(fn) {
  if (process.env.DATABASE_URL) return fn(process.env.DATABASE_URL);
  const { startPostgresServer } = await import('../src/services/postgres-server.ts');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'deployflow-migrate-'));
  const server = await startPostgresServer({ dataDir });
  try {
    return await fn(server.url);
  } finally {
    await server.service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function adapterFactory(url) {
  // Discrete fields, not a connection string: pg lets a connection string override `database`,
  // which would point the shadow database connection at the main database.
  const u = new URL(url);
  const config = {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password) || undefined,
    database: u.pathname.slice(1),
  };
  const base = new PrismaPg(config);
  const admin = async (sql) => {
    const client = new pg.Client(config);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    config,
    base,
    factory: {
      provider: base.provider,
      adapterName: base.adapterName,
      connect: () => base.connect(),
      // Our own shadow database: the adapter's drops the database before its pool is closed and fails.
      async connectToShadowDb() {
        const shadow = `prisma_shadow_${randomUUID().replace(/-/g, '')}`;
        await admin(`CREATE DATABASE "${shadow}"`);
        const adapter = await new PrismaPg({ ...config, database: shadow }).connect();
        const dispose = adapter.dispose.bind(adapter);
        adapter.dispose = async () => {
          await dispose();
          await admin(`DROP DATABASE IF EXISTS "${shadow}" WITH (FORCE)`);
        };
        return adapter;
      },
    },
  };
}

async function patchCharColumns(base) {
  // The schema describer reads pg_catalog columns of type "char" (OID 18), which adapter-pg cannot deserialize;
  // report them as text (OID 25). This patches a private method, hence the exactly pinned versions.
  const probe = await base.connect();
  const proto = Object.getPrototypeOf(Object.getPrototypeOf(probe));
  if (!proto.__deployflowPatched) {
    const original = proto.performIO;
    proto.performIO = async function (query) {
      const result = await original.call(this, query);
      for (const field of result.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
      return result;
    };
    // The adapter runs a migration script by splitting it at every ';', which cuts a function body ($$ … $$) apart;
    // PostgreSQL's simple protocol takes the whole script at once, as Prisma's native engine sends it.
    Object.getPrototypeOf(probe).executeScript = async function (script) {
      try {
        await this.client.query(script);
      } catch (error) {
        this.onError(error);
      }
    };
    proto.__deployflowPatched = true;
  }
  await probe.dispose();
}

await loadEngineWasm();
await withDatabase(async (url) => {
  const { base, factory } = adapterFactory(url);
  await patchCharColumns(base);
  const schemaText = readFileSync(schemaPath, 'utf8');
  const engine = await engineBindings.SchemaEngine.new(
    { datamodels: [[schemaPath, schemaText]] },
    (message) => process.env.DEBUG_SCHEMA_ENGINE && console.error('[schema-engine]', message),
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  const list = existingMigrations();
  const from = list.migrationDirectories.length ? { tag: 'migrations', ...list } : { tag: 'empty' };
  const result = await engine.diff({
    from,
    to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schemaText }] },
    script: true,
    exitCode: true,
    filters: { externalTables: [], externalEnums: [] },
  });
  if (result.exitCode !== 2) {
    console.log('schema.prisma matches the migrations: nothing to create');
    return;
  }
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = path.join(migrationsDir, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'migration.sql'), result.stdout);
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  if (!existsSync(lockPath)) writeFileSync(lockPath, '# Please do not edit this file manually\nprovider = "postgresql"\n');
  console.log(`created ${path.relative(root, dir)}/migration.sql`);
});
process.exit(0);
