// After `tsc -p tsconfig.build.json`: copies the files that code loads at run time but tsc does not emit (Lua scripts,
// the plain-JavaScript OpenAPI parser run as a child process, the migrations' SQL) to the same place under dist/, so
// the compiled build finds them where the code looks (`__dirname`-relative) and needs nothing else from the source tree.
// `node scripts/copy-assets.mjs [OUT_DIR]`: OUT_DIR (default dist) for a build made with `tsc --outDir OUT_DIR`.
import { copyFileSync, cpSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = path.resolve(root, process.argv[2] ?? 'dist');
const ASSET = /\.(lua|js)$/;
let copied = 0;
function walk(dir) {
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'generated') walk(rel);
    } else if (ASSET.test(entry.name)) {
      mkdirSync(path.join(out, dir), { recursive: true });
      copyFileSync(path.join(root, rel), path.join(out, rel));
      copied++;
    }
  }
}
for (const dir of ['src', 'processors', 'flows']) walk(dir);
// src/db/migrator.ts reads `<its dir>/../../prisma/migrations`: prisma/migrations under the build.
cpSync(path.join(root, 'prisma', 'migrations'), path.join(out, 'prisma', 'migrations'), { recursive: true });
console.log(`copied ${copied} run-time assets and prisma/migrations into ${path.relative(root, out) || '.'}/`);
