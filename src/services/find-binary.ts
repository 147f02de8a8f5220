import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Finds an executable on PATH or in the given extra directories; returns undefined when absent. */
export function findBinary(name: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** PostgreSQL's server binaries live under /usr/lib/postgresql/<major>/bin on Debian; newest first. */
export function postgresBinDirs(): string[] {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(base, v, 'bin'));
}

export class MissingBinaryError extends Error {
  constructor(binary: string, howToInstall: string) {
    super(`${binary} was not found on PATH. ${howToInstall}`);
    this.name = 'MissingBinaryError';
  }
}
