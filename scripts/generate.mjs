#!/usr/bin/env node
// Generates the Prisma client and the ts-proto/nice-grpc code, offline. Output is git-ignored.
// Prisma's CLI insists on a native schema engine even for `generate`, which does not need it; where the
// native engine was not downloaded (no network at install) we point it at a stub that explains itself.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function prismaGenerate() {
  const env = { ...process.env };
  if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
    const stub = path.join(root, 'node_modules', '.cache', 'deployflow', 'schema-engine-stub');
    mkdirSync(path.dirname(stub), { recursive: true });
    writeFileSync(
      stub,
      '#!/bin/sh\necho "deployflow: the native Prisma schema engine is not used; run npm run migrate / migrate:create" >&2\nexit 1\n',
    );
    chmodSync(stub, 0o755);
    env.PRISMA_SCHEMA_ENGINE_BINARY = stub;
  }
  env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
  execFileSync(bin('prisma'), ['generate', '--no-hints'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
}

function listProtos(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listProtos(p));
    else if (name.endsWith('.proto')) out.push(path.relative(path.join(root, 'proto'), p));
  }
  return out.sort();
}

function protoGenerate() {
  const protos = listProtos(path.join(root, 'proto'));
  const outDir = path.join(root, 'src', 'generated', 'proto');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  if (protos.length === 0) return;
  execFileSync(
    bin('protoc'),
    [
      `--plugin=protoc-gen-ts_proto=${bin('protoc-gen-ts_proto')}`,
      `--ts_proto_out=${outDir}`,
      '--ts_proto_opt=outputServices=nice-grpc,outputServices=generic-definitions,useExactTypes=false,esModuleInterop=true,env=node',
      `--proto_path=${path.join(root, 'proto')}`,
      ...protos,
    ],
    { cwd: root, stdio: 'inherit' },
  );
}

const started = Date.now();
prismaGenerate();
protoGenerate();
console.log(`generated Prisma client and proto code in ${Date.now() - started} ms`);
