import { spawn } from 'node:child_process';
import { createChannel, createClient, Metadata, Status } from 'nice-grpc';
import { ConfigError, loadConfig } from '../../src/config';
import { DeploymentServiceDefinition } from '../../src/generated/proto/krane/v1/deployment';
import { tokensMatch } from '../../src/krane/auth';
import { EmbeddedKrane, startEmbeddedKrane } from '../../src/krane/embedded';
import { eventually, FAST_DRIVER, helloSpec, httpGet, REPO_ROOT } from './krane-test-kit';

/*
 * Krane starts and deletes processes on request. Before, the embedded Krane listened on a loopback port with no
 * authentication: any local process could delete another workspace's live deployment. Now every call needs the
 * metadata `authorization: Bearer <token>`; the embedded Krane draws its token at start and only its own client has it.
 */
describe('a Krane without its token', () => {
  let krane: EmbeddedKrane;
  beforeAll(async () => {
    krane = await startEmbeddedKrane(FAST_DRIVER);
    await krane.client.create(helloSpec('dep_victim', { namespace: 'other-workspace' }));
    await eventually('the victim to run', async () => {
      const instances = await krane.client.get('other-workspace', 'dep_victim');
      return instances.length === 1 && instances[0].status === 'running' ? true : undefined;
    });
  });
  afterAll(async () => krane?.stop());

  const wrongTokens: Array<[string, Metadata | undefined]> = [
    ['no metadata at all', undefined],
    ['an empty authorization', Metadata({ authorization: '' })],
    ['another scheme', Metadata({ authorization: `Basic ${Buffer.from(`x:${'a'.repeat(43)}`).toString('base64')}` })],
    ['a wrong token of the same length', Metadata({ authorization: `Bearer ${'a'.repeat(43)}` })],
    ['a wrong token of another length', Metadata({ authorization: 'Bearer guess' })],
    ['the token with a character changed', undefined], // filled in below, once the token is known
  ];

  it.each(wrongTokens.map(([what], i) => [what, i]))('answers UNAUTHENTICATED to a raw gRPC client with %s, and changes nothing', async (_what, i) => {
    let metadata = wrongTokens[i as number][1];
    if (i === wrongTokens.length - 1) metadata = Metadata({ authorization: `Bearer ${krane.token.slice(0, -1)}${krane.token.endsWith('A') ? 'B' : 'A'}` });
    const channel = createChannel(krane.url);
    try {
      const raw = createClient(DeploymentServiceDefinition, channel);
      const options = metadata ? { metadata } : {};
      const target = { namespace: 'other-workspace', deploymentId: 'dep_victim' };
      await expect(raw.getDeployment(target, options)).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
      await expect(raw.deleteDeployment(target, options)).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
      await expect(
        raw.createDeployment({ deployment: { namespace: 'intruder', deploymentId: 'dep_intruder', image: 'file:examples/hello-api', replicas: 1, cpuMillicores: 10, memorySizeMib: 16, port: 0, env: {}, healthCheckPath: '' } }, options),
      ).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    } finally {
      channel.close();
    }
    // Nothing changed: the victim still runs and answers; the intruder's deployment was never created.
    const instances = await krane.client.get('other-workspace', 'dep_victim');
    expect(instances.map((instance) => instance.status)).toEqual(['running']);
    expect((await httpGet(instances[0].address, '/healthz')).status).toBe(200);
    await expect(krane.driver.get('intruder', 'dep_intruder')).rejects.toThrow(/not found/);
  });

  it('serves a raw client that presents the token', async () => {
    const channel = createChannel(krane.url);
    try {
      const raw = createClient(DeploymentServiceDefinition, channel);
      const answer = await raw.getDeployment({ namespace: 'other-workspace', deploymentId: 'dep_victim' }, { metadata: Metadata({ authorization: `Bearer ${krane.token}` }) });
      expect(answer.instances).toHaveLength(1);
    } finally {
      channel.close();
    }
  });

  it('draws a new random token at every start', async () => {
    const other = await startEmbeddedKrane(FAST_DRIVER);
    try {
      expect(other.token).not.toBe(krane.token);
      expect(other.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // Each Krane accepts only its own.
      const channel = createChannel(other.url);
      try {
        const raw = createClient(DeploymentServiceDefinition, channel);
        await expect(raw.getDeployment({ namespace: 'a', deploymentId: 'b' }, { metadata: Metadata({ authorization: `Bearer ${krane.token}` }) })).rejects.toMatchObject({
          code: Status.UNAUTHENTICATED,
        });
      } finally {
        channel.close();
      }
    } finally {
      await other.stop();
    }
  });

  it('compares tokens whatever their lengths', () => {
    expect(tokensMatch('a'.repeat(43), 'a'.repeat(43))).toBe(true);
    expect(tokensMatch('a'.repeat(43), 'a'.repeat(42))).toBe(false);
    expect(tokensMatch('', 'a'.repeat(43))).toBe(false);
    expect(tokensMatch('b'.repeat(43), 'a'.repeat(43))).toBe(false);
  });
});

/** Runs an entry point to its exit with the given environment (no inherited secrets), returning code and output. */
function runToExit(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('KRANE_TOKEN is required wherever Krane is not embedded', () => {
  it.each([
    ['unset', {}],
    ['empty', { KRANE_TOKEN: '' }],
    ['too short to be a secret', { KRANE_TOKEN: 'secret' }],
  ])('npm run krane (src/krane/main.ts) refuses to start with KRANE_TOKEN %s, saying so', async (_what, env) => {
    const { code, output } = await runToExit('src/krane/main.ts', { KRANE_PORT: '0', ...env });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(output).toMatch(/KRANE_TOKEN/);
    expect(output).not.toMatch(/krane listening/);
  });

  it('npm run worker (src/worker-main.ts) with KRANE_URL refuses to start without KRANE_TOKEN, naming it', async () => {
    const { code, output } = await runToExit('src/worker-main.ts', {
      REDIS_URL: 'redis://127.0.0.1:1',
      DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none',
      KRANE_URL: 'http://127.0.0.1:1',
    });
    expect(code).toBe(2);
    expect(output).toMatch(/KRANE_TOKEN/);
  });

  it('the configuration refuses KRANE_URL without KRANE_TOKEN, and a token that is too short', () => {
    const attempt = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return undefined;
      } catch (err) {
        return err;
      }
    };
    const missing = attempt({ KRANE_URL: 'http://127.0.0.1:50052' });
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as ConfigError).problems.join('\n')).toMatch(/^KRANE_TOKEN: is required when KRANE_URL is set/m);
    expect((attempt({ KRANE_URL: 'http://127.0.0.1:50052', KRANE_TOKEN: 'short' }) as ConfigError).problems.join('\n')).toMatch(/^KRANE_TOKEN: must be 32 to 512/m);
    expect(loadConfig({ KRANE_URL: 'http://127.0.0.1:50052', KRANE_TOKEN: 'x'.repeat(32) }).KRANE_TOKEN).toBe('x'.repeat(32));
    // Embedded: no token needed (one is drawn at start).
    expect(attempt({})).toBeUndefined();
  });
});
