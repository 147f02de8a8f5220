/**
 * Which environment variables a deployment may set for its instances. One policy, used by the API (a 400 naming the
 * variable) and by Krane's request validation (INVALID_ARGUMENT), so neither can drift from the other and every
 * driver gets the same guarantee.
 *
 * Why it matters: the image is code the operator allowed (the images directory), but the env is whatever a tenant
 * sends. A tenant must not be able to change how that code is started: which code the dynamic loader, Node, OpenSSL
 * or a shell load before the app runs (LD_PRELOAD, NODE_OPTIONS=--import, OPENSSL_CONF, GCONV_PATH, BASH_ENV …),
 * which files glibc reads, or where the app listens and who it thinks it is (Krane's own variables).
 *
 * Safe by construction rather than by listing single bad names: a name must be upper case (`^[A-Z_][A-Z0-9_]*$`, so
 * no lower-case variants such as `npm_config_*` or `ld_preload` that some tools read too), and whole prefix families
 * are refused, so a new `LD_…` or `OPENSSL_…` variable is refused before anyone knows about it.
 */

export const ENV_NAME_PATTERN = /^[A-Z_][A-Z0-9_]*$/;
export const MAX_ENV_NAME_LENGTH = 128;

interface ReservedFamily {
  /** Exact names. */
  names?: readonly string[];
  /** Every name starting with one of these. */
  prefixes?: readonly string[];
  /** Who reads them, said to the caller. */
  reason: string;
}

/**
 * The refused families and who reads them. Lower-case spellings are matched too (they are refused by the name
 * pattern anyway, but the reason here says more).
 *
 * Decisions beyond the loader / Node / OpenSSL / glibc / shell core, all refused: the package managers a start script
 * may run (NPM_, YARN_, COREPACK_), the other language runtimes an image may start with (PYTHON, PERL, RUBY, GEM_,
 * JAVA_, JDK_, _JAVA_: each reads code-loading options at start), the locale (LANG, LANGUAGE, LC_: a value with a '/'
 * makes glibc load locale data from any host path; Krane passes its own locale), the temp directory (TMPDIR, TMP,
 * TEMP: glibc and Node read them), and all of KRANE_ for Krane itself. Allowed on purpose: TZ (a zone name; glibc
 * only parses the file as zone data) and everything else an app conventionally reads (DATABASE_URL, HTTP_PROXY …).
 */
const RESERVED: readonly ReservedFamily[] = [
  {
    names: ['PORT', 'HOST', 'DEPLOYMENT_ID', 'INSTANCE_ID'],
    prefixes: ['KRANE_'],
    reason: 'Krane sets it (the app must listen where it is health-checked and know which deployment it is)',
  },
  { prefixes: ['LD_', 'DYLD_'], reason: 'the dynamic loader reads it (LD_PRELOAD, LD_LIBRARY_PATH …) and would load other code into the app' },
  { prefixes: ['NODE_', 'UV_'], reason: 'Node reads it at start (NODE_OPTIONS, NODE_PATH, NODE_EXTRA_CA_CERTS …; UV_* configure its event loop)' },
  { prefixes: ['OPENSSL_'], names: ['SSL_CERT_FILE', 'SSL_CERT_DIR'], reason: 'OpenSSL reads it when the runtime starts (OPENSSL_CONF and OPENSSL_MODULES load modules; SSL_CERT_* replace the trust store)' },
  {
    prefixes: ['GCONV_', 'GLIBC_', 'MALLOC_'],
    names: ['LOCPATH', 'NLSPATH', 'TZDIR', 'HOSTALIASES', 'RES_OPTIONS', 'LOCALDOMAIN', 'RESOLV_HOST_CONF', 'NIS_PATH', 'GETCONF_DIR'],
    reason: 'glibc reads it (gconv modules, tunables, allocator, locale and resolver files); it is on the list glibc drops for privileged programs',
  },
  { prefixes: ['LC_'], names: ['LANG', 'LANGUAGE'], reason: 'glibc loads locale data named by it, from any path; Krane sets the locale' },
  { names: ['TMPDIR', 'TMP', 'TEMP'], reason: 'glibc and Node take the temporary directory from it' },
  {
    prefixes: ['BASH_'],
    names: ['PATH', 'HOME', 'SHELL', 'IFS', 'ENV', 'CDPATH', 'SHELLOPTS', 'BASHOPTS', 'POSIXLY_CORRECT', 'PROMPT_COMMAND', 'PS1', 'PS2', 'PS3', 'PS4'],
    reason: 'the shell that runs a start script reads it (BASH_ENV and ENV run a file, PS4 and SHELLOPTS run commands, PATH picks the programs)',
  },
  { prefixes: ['NPM_', 'YARN_', 'COREPACK_'], reason: 'a package manager a start script may run reads it (e.g. npm_config_script_shell picks the shell)' },
  {
    prefixes: ['PYTHON', 'PERL', 'RUBY', 'GEM_', 'JAVA_', 'JDK_', '_JAVA_'],
    reason: 'a language runtime reads it at start (PYTHONSTARTUP, PERL5OPT, RUBYOPT, JAVA_TOOL_OPTIONS … load code)',
  },
];

/** A short summary of the rule, for messages and documentation. */
export const ENV_POLICY_SUMMARY =
  'names are upper case letters, digits and _ (not starting with a digit); names Krane sets (PORT, HOST, DEPLOYMENT_ID, INSTANCE_ID, KRANE_*) ' +
  'and those the loader, Node, OpenSSL, glibc or the shell read (LD_*, NODE_*, OPENSSL_*, GCONV_*, BASH_*, PATH, HOME …) are refused';

function reservedReason(name: string): string | undefined {
  const upper = name.toUpperCase();
  for (const family of RESERVED) {
    if (family.names?.includes(upper) || family.prefixes?.some((prefix) => upper.startsWith(prefix))) return family.reason;
  }
  return undefined;
}

/**
 * Why a deployment may not set the variable `name`, as a sentence naming it (`env variable LD_PRELOAD may not be
 * set: …`); `undefined` when it may. The stable entry point for every caller: API schemas, Krane's request
 * validation, any driver.
 */
export function envNameProblem(name: string): string | undefined {
  const reserved = reservedReason(name);
  if (reserved) return `env variable ${name} may not be set: ${reserved}`;
  if (name.length > MAX_ENV_NAME_LENGTH) return `env variable name ${JSON.stringify(name.slice(0, 32))}… is longer than ${MAX_ENV_NAME_LENGTH} characters`;
  if (!ENV_NAME_PATTERN.test(name)) {
    return `env variable name ${JSON.stringify(name)} is not a valid name: use upper case letters, digits and _, not starting with a digit`;
  }
  return undefined;
}

export function isAllowedEnvName(name: string): boolean {
  return envNameProblem(name) === undefined;
}

/**
 * The whole policy as one regular expression (upper-case names only, so every family reduces to its upper-case
 * spelling): published as `propertyNames` of `runtime.env` in the OpenAPI document, so a validating client refuses
 * exactly the names the API refuses. Means the same with and without the `u` flag.
 */
export const ALLOWED_ENV_NAME_PATTERN = new RegExp(
  `^(?!(?:${RESERVED.flatMap((f) => f.prefixes ?? []).join('|')})|(?:${RESERVED.flatMap((f) => f.names ?? []).join('|')})$)[A-Z_][A-Z0-9_]{0,${MAX_ENV_NAME_LENGTH - 1}}$`,
);
