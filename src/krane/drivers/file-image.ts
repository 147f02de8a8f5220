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
 * then `index.js`. Throws InvalidSpecError naming the path for an unknown scheme or a directory without an entry.
 */
export function resolveFileImage(image: string, rootDir: string, imagesDir: string = rootDir): LaunchCommand {
  if (!image.startsWith('file:')) {
    throw new InvalidSpecError(`image ${JSON.stringify(image)} is not supported by the process driver: use file:<directory>`);
  }
  const given = image.slice('file:'.length);
  if (!given) throw new InvalidSpecError(`image ${JSON.stringify(image)} names no directory`);
  const dir = path.resolve(rootDir, given);
  if (!isDirectory(dir)) throw new InvalidSpecError(`image path ${dir} not found or not a directory`);
  // The image is code the driver runs on this machine: only from the images directory, never `file:.` or `file:/`.
  const real = realpathSync(dir);
  const allowed = realpathSync(imagesDir);
  if (real !== allowed && !real.startsWith(allowed + path.sep)) {
    throw new InvalidSpecError(`image path ${dir} is outside the images directory ${allowed}`);
  }

  const pkg = readPackageJson(dir);
  const start = typeof pkg?.scripts?.start === 'string' ? pkg.scripts.start.trim() : undefined;
  if (start) {
    const plain = PLAIN_NODE_START.exec(start);
    if (plain) return nodeEntry(dir, plain[1], `start script of ${dir}/package.json`);
    return { command: '/bin/sh', args: ['-c', start], cwd: dir, extraPath: path.join(dir, 'node_modules', '.bin') };
  }
  if (typeof pkg?.main === 'string' && pkg.main) return nodeEntry(dir, pkg.main, `main of ${dir}/package.json`);
  if (existsSync(path.join(dir, 'index.js'))) return nodeEntry(dir, 'index.js', dir);
  throw new InvalidSpecError(`image path ${dir} has neither a package.json start script nor an index.js`);
}

function nodeEntry(dir: string, entry: string, from: string): LaunchCommand {
  const file = path.resolve(dir, entry);
  if (!existsSync(file)) throw new InvalidSpecError(`entry ${file} named by the ${from} not found`);
  return { command: process.execPath, args: [file], cwd: dir };
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function readPackageJson(dir: string): PackageJson | undefined {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as PackageJson) : undefined;
  } catch (err) {
    throw new InvalidSpecError(`image path ${dir} has an unreadable package.json: ${(err as Error).message}`);
  }
}
