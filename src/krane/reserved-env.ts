/**
 * Environment variables a deployment may not set. Some are Krane's own (PORT, HOST, DEPLOYMENT_ID, INSTANCE_ID: the
 * app must listen where it is health-checked and know who it is); the rest change how the runtime, the dynamic
 * loader or a shell starts (NODE_OPTIONS=--import=..., LD_PRELOAD, BASH_ENV, PATH), which would run code other than
 * the image's on the host — with the process driver, on the control plane's own machine.
 */
const RESERVED_NAMES = new Set(['PATH', 'HOME', 'SHELL', 'ENV', 'BASH_ENV', 'IFS', 'PS4', 'PORT', 'HOST', 'DEPLOYMENT_ID', 'INSTANCE_ID', 'TMPDIR']);
const RESERVED_PREFIXES = ['NODE_', 'LD_', 'DYLD_', 'NPM_', 'BASH_FUNC_', 'GLIBC_', 'MALLOC_', 'PYTHON', 'PERL', 'RUBY'];

export function isReservedEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  return RESERVED_NAMES.has(upper) || RESERVED_PREFIXES.some((prefix) => upper.startsWith(prefix));
}

export const RESERVED_ENV_HINT = 'it is set by Krane or changes how the runtime starts (PATH, HOME, PORT, HOST, DEPLOYMENT_ID, INSTANCE_ID, NODE_*, LD_*, DYLD_*, NPM_*, BASH_ENV …)';
