import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What the Engine API takes as X-Registry-Auth for a pull. */
export interface RegistryAuth {
  serveraddress: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface DockerConfigEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

// Docker Hub's credentials are stored under its legacy index address.
const DOCKER_HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];

/** `https://registry.example.com/v2/` -> `registry.example.com`: how config.json keys compare with a reference's host. */
function hostOf(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
}

/**
 * Credentials for `registry` from the standard Docker client config (`$DOCKER_CONFIG/config.json`, default
 * `~/.docker/config.json`): `auths.<registry>.auth` (base64 `user:password`), `username`/`password`, or an
 * `identitytoken`. Credential helpers (`credsStore`, `credHelpers`) are not run: a registry that needs one gets an
 * anonymous pull. Missing or unreadable config: undefined (anonymous).
 */
export function registryAuthFor(registry: string, env: NodeJS.ProcessEnv = process.env): RegistryAuth | undefined {
  const file = path.join(env.DOCKER_CONFIG || path.join(os.homedir(), '.docker'), 'config.json');
  let auths: Record<string, DockerConfigEntry>;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { auths?: Record<string, DockerConfigEntry> };
    auths = parsed.auths ?? {};
  } catch {
    return undefined;
  }
  const wanted = registry === 'docker.io' ? DOCKER_HUB_KEYS.map(hostOf) : [registry.toLowerCase()];
  const key = Object.keys(auths).find((k) => wanted.includes(hostOf(k)));
  if (!key) return undefined;
  const entry = auths[key];
  const serveraddress = registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
  if (entry.identitytoken) return { serveraddress, identitytoken: entry.identitytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { serveraddress, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username && entry.password) return { serveraddress, username: entry.username, password: entry.password };
  return undefined;
}
