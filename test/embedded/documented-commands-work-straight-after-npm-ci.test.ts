import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { REPO_ROOT } from '../support/engine-harness';
import { readTestServices } from '../support/services-file';

// A fresh checkout has no generated code (src/generated is git-ignored). Every documented command must work straight
// after `npm ci`, not only the ones whose pre-hooks happen to generate it.

const NPM_ENV = {
  PATH: process.env.PATH!,
  HOME: process.env.HOME!,
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
};

interface Run {
  code: number | null;
  output: string;
}

function run(cwd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('npm', args, { cwd, env: { ...NPM_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A long-running command: started, watched until its output says it is up. */
class Service {
  output = '';
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (c: Buffer) => (this.output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (this.output += c.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }
  static start(cwd: string, args: string[], env: Record<string, string>): Service {
    // A process group of its own: npm runs the command under a shell, and a SIGKILL to npm alone would leave them
    // running (a failed assertion before the test's own SIGTERM left a krane process behind).
    return new Service(spawn('npm', args, { cwd, env: { ...NPM_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
  }
  async waitFor(pattern: RegExp, timeoutMs = 90_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.output);
      if (match) return match;
      if (this.child.exitCode !== null || Date.now() > deadline) throw new Error(`never printed ${pattern}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
}

/** The files a clean clone of this working tree would have (tracked and new, minus what .gitignore excludes). */
function copyCheckout(to: string): number {
  const files = execFileSync('git', ['-C', REPO_ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  let copied = 0;
  for (const file of files) {
    const from = path.join(REPO_ROOT, file);
    if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted in the working tree
    mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    copyFileSync(from, path.join(to, file));
    copied++;
  }
  return copied;
}

describe('a fresh checkout after npm ci', () => {
  const checkout = mkdtempSync(path.join(os.tmpdir(), 'deployflow-checkout-'));
  const database = `fresh_${randomBytes(5).toString('hex')}`;
  const services: Service[] = [];
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: readTestServices().postgresUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  afterAll(async () => {
    for (const service of services) {
      try {
        // The whole group: npm, its shell and the command, whichever of them still run.
        process.kill(-service.child.pid!, 'SIGKILL');
      } catch {
        // ESRCH: every process of the group has ended.
      }
      await service.exited;
    }
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    rmSync(checkout, { recursive: true, force: true });
  });

  it('runs migrate, platform-key, enqueue, bench, krane and worker without any other step', async () => {
    expect(copyCheckout(checkout)).toBeGreaterThan(100);
    expect(existsSync(path.join(checkout, 'src', 'generated'))).toBe(false);

    const installStarted = Date.now();
    const install = await run(checkout, ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {}, 400_000);
    console.log(`npm ci in a fresh checkout: ${Date.now() - installStarted} ms`);
    expect(install).toMatchObject({ code: 0 });
    expect(existsSync(path.join(checkout, 'src', 'generated', 'prisma', 'client.ts'))).toBe(true);
    expect(existsSync(path.join(checkout, 'src', 'generated', 'proto', 'krane', 'v1', 'deployment.ts'))).toBe(true);

    await admin(`CREATE DATABASE ${database}`);
    const databaseUrl = `postgresql://postgres@127.0.0.1:${readTestServices().postgresPort}/${database}`;

    const migrate = await run(checkout, ['run', '--silent', 'migrate'], { DATABASE_URL: databaseUrl });
    expect(migrate.output).toMatch(/^applied: \S+/m);
    expect(migrate.code).toBe(0);

    const platformKey = await run(checkout, ['run', '--silent', 'platform-key', '--', '--role', 'viewer'], { DATABASE_URL: databaseUrl });
    expect(platformKey.output).toMatch(/platform viewer key key_\S+ \(shown once, keep it\): df_/);
    expect(platformKey.code).toBe(0);

    const enqueue = await run(checkout, ['run', '--silent', 'enqueue', '--', '--help']);
    expect(enqueue.output).toMatch(/usage: npm run enqueue/);
    expect(enqueue.code).toBe(0);

    const bench = await run(checkout, ['run', '--silent', 'bench', '--', '--help']);
    expect(bench.output).toMatch(/usage: npm run bench/);
    expect(bench.output).not.toMatch(/Cannot find module/);

    // Long-running ones: up, then stopped through npm's own PID.
    const kraneToken = randomBytes(16).toString('hex');
    const krane = Service.start(checkout, ['run', '--silent', 'krane'], { KRANE_PORT: '0', HEALTH_PORT: '0', KRANE_TOKEN: kraneToken });
    services.push(krane);
    const [, kraneUrl] = await krane.waitFor(/krane listening on (\S+)/);

    const worker = Service.start(checkout, ['run', '--silent', 'worker'], {
      REDIS_URL: readTestServices().redisUrl,
      DATABASE_URL: databaseUrl,
      KRANE_URL: kraneUrl,
      KRANE_TOKEN: kraneToken,
      QUEUE_PREFIX: `{fresh${randomBytes(4).toString('hex')}}`,
      // A free health port, not the fixed default: other runs on this machine may hold it.
      HEALTH_PORT: '0',
    });
    services.push(worker);
    await worker.waitFor(/"msg":"workers started"/);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    krane.child.kill('SIGTERM');
    expect(await krane.exited).toBe(0);
  }, 600_000);
});
