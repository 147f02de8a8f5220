// Preloaded (`node --require`) into a compiled build under test: every package the production image leaves out
// (`npm ci --omit=dev --omit=optional`: package-lock.json marks them `dev`, `devOptional` or `optional`) fails to
// resolve with MODULE_NOT_FOUND, as it would there, and is named on stderr. The build then behaves as it does with
// production dependencies only.
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

const root = process.env.DEPLOYFLOW_REPO_ROOT;
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
const absent = new Set(Object.entries(lock.packages).filter(([key, meta]) => key !== '' && (meta.dev === true || meta.devOptional === true || meta.optional === true)).map(([key]) => key));
const modulesDir = path.join(root, 'node_modules') + path.sep;
const resolve = Module._resolveFilename;

Module._resolveFilename = function (request, parent, ...rest) {
  const resolved = resolve.call(this, request, parent, ...rest);
  if (resolved.startsWith(modulesDir)) {
    const relative = 'node_modules/' + resolved.slice(modulesDir.length).split(path.sep).join('/');
    // The innermost package: `node_modules/a/node_modules/@b/c/lib/x.js` is `node_modules/a/node_modules/@b/c`.
    const key = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)/.exec(relative)[1];
    if (absent.has(key)) {
      process.stderr.write(`package absent in production requested at run time: ${key} (by ${parent && parent.filename})\n`);
      const err = new Error(`Cannot find module '${request}' (not installed in production)`);
      err.code = 'MODULE_NOT_FOUND';
      throw err;
    }
  }
  return resolved;
};
