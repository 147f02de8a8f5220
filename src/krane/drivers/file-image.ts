import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { InvalidSpecError } from '../driver';

/** How to start one instance of a `file:` image. */
export interface LaunchCommand {
  command: string;
  args: string[];
  cwd: string;
  /** Prepended to PATH so a start script finds the app's own binaries, as `npm start` would. */
  extraPath?: string;
}

interface PackageJson {
  main?: unknown;
  scripts?: { start?: unknown };
}

// `node app.js`, `node ./dist/server.js`: run the file with our node so the PID we hold is the app itself.
const PLAIN_NODE_START = /^node\s+([^\s;&|<>`$()]+)$/;

/**
 * Resolves `file:<dir>` (relative to rootDir, and after following links inside imagesDir) to a command. In order: a package.json start script of the form
 * `node <file>` (run with this node directly), any other start script (run by `sh -c`), package.json `main`,
 * then `index.js`. Throws InvalidSpecError for an unknown scheme or a directory without an entry.
 *
 * Errors reach tenants (a failed deploy's statusReason, the step's error), so they name only what the tenant sent
 * (`file:foo`) and paths inside the image, never the host's directories. A directory that does not exist and one
 * that exists outside the images directory give the same error, so a caller cannot probe the host's file system.
 */
export function resolveFileImage(image: string, rootDir: string, imagesDir: string = rootDir): LaunchCommand {
  if (!image.startsWith('file:')) {
    throw new InvalidSpecError(`image ${JSON.stringify(image)} is not supported by the process driver: use file:<directory>`);
  }
  const given = image.slice('file:'.length);
  if (!given) throw new InvalidSpecError(`image ${JSON.stringify(image)} names no directory`);
  const dir = imageDirectory(given, rootDir, imagesDir);
  if (!dir) throw new InvalidSpecError(`image ${JSON.stringify(image)} not found or not a directory in the images directory`);

  const named = (inside: string) => `${JSON.stringify(image)}: ${inside}`;
  const pkg = readPackageJson(dir, image);
  const start = typeof pkg?.scripts?.start === 'string' ? pkg.scripts.start.trim() : undefined;
  if (start) {
    const plain = PLAIN_NODE_START.exec(start);
    if (plain) return nodeEntry(dir, plain[1], named('the package.json start script'));
    return { command: '/bin/sh', args: ['-c', start], cwd: dir, extraPath: path.join(dir, 'node_modules', '.bin') };
  }
  if (typeof pkg?.main === 'string' && pkg.main) return nodeEntry(dir, pkg.main, named('package.json main'));
  if (existsSync(path.join(dir, 'index.js'))) return nodeEntry(dir, 'index.js', named('index.js'));
  throw new InvalidSpecError(`image ${JSON.stringify(image)} has neither a package.json start script nor an index.js`);
}

/**
 * The image's directory when it exists and lies inside imagesDir after following every link; otherwise undefined,
 * whichever of the two it is (the caller gives one error for both).
 */
function imageDirectory(given: string, rootDir: string, imagesDir: string): string | undefined {
  const dir = path.resolve(rootDir, given);
  if (!isDirectory(dir)) return undefined;
  // The image is code the driver runs on this machine: only from the images directory, never `file:.` or `file:/`.
  const real = realpathSync(dir);
  const allowed = realpathSync(imagesDir);
  return real === allowed || real.startsWith(allowed + path.sep) ? dir : undefined;
}

function nodeEntry(dir: string, entry: string, from: string): LaunchCommand {
  const file = path.resolve(dir, entry);
  const relative = path.relative(dir, file);
  // An entry that climbs out of the image is as good as missing, and its host path is not the tenant's business.
  if (relative.startsWith('..') || path.isAbsolute(relative) || !existsSync(file)) {
    throw new InvalidSpecError(`image ${from} names the entry ${JSON.stringify(entry)}, which is not a file in the image`);
  }
  return { command: process.execPath, args: [file], cwd: dir };
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function readPackageJson(dir: string, image: string): PackageJson | undefined {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as PackageJson) : undefined;
  } catch (err) {
    // JSON.parse says where the syntax error is, never which file; a read error would name the host path.
    const reason = err instanceof SyntaxError ? err.message : 'it cannot be read';
    throw new InvalidSpecError(`image ${JSON.stringify(image)} has an unreadable package.json: ${reason}`);
  }
}
