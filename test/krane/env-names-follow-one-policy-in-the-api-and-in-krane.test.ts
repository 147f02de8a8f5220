// The API first: its schemas must be built after @hono/zod-openapi extended zod.
import { ApiHarness, startApiHarness, WorkspaceKeys } from '../api/support/api-harness';
import { createProject } from '../api/support/deployments';
import { Status } from 'nice-grpc';
import { createKraneClient, KraneClient } from '../../src/krane/client';
import { DeploymentNotFoundError, KraneDriver } from '../../src/krane/driver';
import { ALLOWED_ENV_NAME_PATTERN, envNameProblem } from '../../src/krane/env-policy';
import { RunningKraneServer, startKraneServer } from '../../src/krane/server';
import type { KraneDeploymentSpec } from '../../src/krane/types';
import { helloSpec, TEST_KRANE_TOKEN } from './krane-test-kit';

/*
 * Which environment variables a deployment may set: one policy (src/krane/env-policy.ts), the same answer from the
 * API (400 naming runtime.env.<name>) and from Krane (INVALID_ARGUMENT before any driver runs), and the same as the
 * OpenAPI document's pattern for the names.
 */
const ACCEPTED = [
  'VERSION',
  'DATABASE_URL',
  'API_KEY',
  'A',
  '_PRIVATE',
  'FEATURE_2',
  'TZ',
  'HTTP_PROXY',
  'NO_PROXY',
  'LOG_LEVEL',
  // Near misses of refused families: only the family itself is refused.
  'NODEJS_APP',
  'PATHS',
  'PATH_PREFIX',
  'HOME_URL',
  'HOSTNAME',
  'PORTAL',
  'LDAP_URL',
  'LCD_WIDTH',
  'ENVIRONMENT',
  'SHELL_COLOR',
  'A'.repeat(128),
];

const REFUSED_FAMILIES = [
  // the dynamic loader
  'LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'LD_ANYTHING_NEW', 'DYLD_INSERT_LIBRARIES',
  // Node and libuv
  'NODE_OPTIONS', 'NODE_PATH', 'NODE_EXTRA_CA_CERTS', 'NODE_ANYTHING_NEW', 'UV_THREADPOOL_SIZE',
  // OpenSSL
  'OPENSSL_CONF', 'OPENSSL_MODULES', 'OPENSSL_ENGINES', 'OPENSSL_ANYTHING_NEW', 'SSL_CERT_FILE', 'SSL_CERT_DIR',
  // glibc
  'GCONV_PATH', 'GLIBC_TUNABLES', 'MALLOC_CHECK_', 'MALLOC_ARENA_MAX', 'LOCPATH', 'NLSPATH', 'TZDIR', 'HOSTALIASES',
  'RES_OPTIONS', 'LOCALDOMAIN', 'RESOLV_HOST_CONF', 'NIS_PATH', 'GETCONF_DIR', 'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE',
  'TMPDIR', 'TMP', 'TEMP',
  // the shell
  'BASH_ENV', 'BASH_FUNC_X', 'PATH', 'HOME', 'SHELL', 'IFS', 'ENV', 'CDPATH', 'SHELLOPTS', 'BASHOPTS', 'POSIXLY_CORRECT',
  'PROMPT_COMMAND', 'PS1', 'PS4',
  // Krane's own
  'PORT', 'HOST', 'DEPLOYMENT_ID', 'INSTANCE_ID', 'KRANE_TOKEN',
  // package managers and other runtimes a start script may run
  'NPM_CONFIG_PREFIX', 'YARN_RC_FILENAME', 'COREPACK_HOME', 'PYTHONPATH', 'PYTHONSTARTUP', 'PERL5OPT', 'RUBYOPT', 'GEM_PATH',
  'JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS', '_JAVA_OPTIONS',
  // lower-case spellings of refused families say why they are refused
  'npm_config_script_shell', 'ld_preload', 'node_options',
];

const MALFORMED = ['version', 'Version', '1ABC', 'A-B', 'A B', 'A.B', 'É', '', 'A=B', 'A'.repeat(129)];

class RecordingDriver implements KraneDriver {
  readonly created: KraneDeploymentSpec[] = [];
  async create(spec: KraneDeploymentSpec) {
    this.created.push(spec);
    return { alreadyExisted: false };
  }
  async get(namespace: string, id: string): Promise<never> {
    throw new DeploymentNotFoundError(namespace, id);
  }
  async delete(namespace: string, id: string): Promise<never> {
    throw new DeploymentNotFoundError(namespace, id);
  }
  async shutdown() {}
}

describe('the runtime env policy', () => {
  it.each(ACCEPTED.map((n) => [n]))('accepts %s', (name) => {
    expect(envNameProblem(name)).toBeUndefined();
    expect(ALLOWED_ENV_NAME_PATTERN.test(name)).toBe(true);
  });

  it.each(REFUSED_FAMILIES.map((n) => [n]))('refuses %s, saying who reads it', (name) => {
    expect(envNameProblem(name)).toMatch(new RegExp(`^env variable ${name} may not be set: .+ (reads?|sets?|loads?|take)`));
    expect(ALLOWED_ENV_NAME_PATTERN.test(name)).toBe(false);
  });

  it.each(MALFORMED.map((n) => [n]))('refuses the malformed name %j', (name) => {
    expect(envNameProblem(name)).toMatch(/^env variable name .* (is not a valid name|is longer than 128 characters)/);
    expect(ALLOWED_ENV_NAME_PATTERN.test(name)).toBe(false);
  });
});

describe('the API and Krane apply the same env policy', () => {
  let h: ApiHarness;
  let acme: WorkspaceKeys;
  const driver = new RecordingDriver();
  let server: RunningKraneServer;
  let client: KraneClient;

  beforeAll(async () => {
    h = await startApiHarness();
    acme = await h.workspace('acme');
    await createProject(h, acme.admin, 'shop');
    server = await startKraneServer({ driver, token: TEST_KRANE_TOKEN });
    client = createKraneClient(server.url, { token: TEST_KRANE_TOKEN });
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
    await h?.close();
  });

  const deploy = (name: string) =>
    h.call('POST', '/v1/deployments', { key: acme.deployer, body: { projectId: 'shop', image: 'file:examples/hello-api', runtime: { env: { [name]: '/etc/passwd' } } } });

  it('the API refuses every refused or malformed name with a 400 naming runtime.env.<name>, creating nothing', async () => {
    const wrong: unknown[] = [];
    for (const name of [...REFUSED_FAMILIES, ...MALFORMED]) {
      const res = await deploy(name);
      const issue = (res.body?.error?.details?.issues ?? []).find((i: { field: string }) => i.field === `runtime.env.${name}`);
      if (res.status !== 400 || !issue || issue.message !== envNameProblem(name)) wrong.push({ name, status: res.status, error: res.body?.error });
    }
    expect(wrong).toEqual([]);
    expect(await h.db.prisma.deployment.count()).toBe(0);
  });

  it('the API accepts every accepted name', async () => {
    for (const name of ACCEPTED) expect({ name, status: (await deploy(name)).status }).toEqual({ name, status: 202 });
  });

  it('Krane refuses the same names with INVALID_ARGUMENT before the driver sees them, and passes the others on', async () => {
    const wrong: unknown[] = [];
    for (const name of [...REFUSED_FAMILIES, ...MALFORMED]) {
      const error = await client.create(helloSpec('dep_env', { env: { [name]: '/etc/passwd' } })).then(
        () => undefined,
        (err: { grpcCode?: Status; grpcDetails?: string }) => err,
      );
      if (error?.grpcCode !== Status.INVALID_ARGUMENT || error.grpcDetails !== envNameProblem(name)) wrong.push({ name, error });
    }
    expect(wrong).toEqual([]);
    expect(driver.created).toEqual([]);

    for (const [n, name] of ACCEPTED.entries()) await client.create(helloSpec(`dep_ok_${n}`, { env: { [name]: 'x' } }));
    expect(driver.created.map((spec) => Object.keys(spec.env ?? {})[0])).toEqual(ACCEPTED);
  });
});
