import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineHarness, HELLO_API, REPO_ROOT, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';
import { bulkText } from './support/bulk-file';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Each case starts a Node process with tsx: generous limits for a loaded machine (they bound a hang, they time nothing).
jest.setTimeout(180_000);

describe('npm run enqueue --direct as a process', () => {
  let h: EngineHarness;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    h = await startEngineHarness();
    dir = mkdtempSync(path.join(os.tmpdir(), 'enqueue-cli-'));
    env = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: h.db.url, REDIS_URL: h.redisUrl, QUEUE_PREFIX: h.prefix };
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await h.close();
  });

  /** `node --import tsx scripts/enqueue.ts …args`: stderr is a pipe here, not a terminal. */
  const enqueue = (args: string[], childEnv: NodeJS.ProcessEnv = env): Promise<Run> =>
    new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'enqueue.ts'), ...args], { cwd: REPO_ROOT, env: childEnv, timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
      });
    });
  const file = (name: string, ...rows: Array<object | string>) => {
    const p = path.join(dir, name);
    writeFileSync(p, bulkText(...rows));
    return p;
  };

  it('exits 2 with the usage on a usage error, before touching anything', async () => {
    const none = await enqueue([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('enqueue: missing FILE.jsonl');
    expect(none.stderr).toContain('usage: npm run enqueue -- FILE.jsonl');

    const missing = await enqueue([path.join(dir, 'no-such-file.jsonl'), '--key', 'df_not_checked_before_the_file']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');

    const ok = file('ok-for-flags.jsonl', '# nothing');
    for (const args of [['--rate', '0', ok], ['--concurrency', '1.5', ok], ['--bogus', ok], [ok, ok], ['--direct', '--key', 'df_x', ok], ['--api', 'ftp://x', ok]]) {
      const bad = await enqueue(args);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('usage:');
    }

    const noKey = await enqueue([ok]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('needs an API key of the workspace');

    const noDb = await enqueue(['--direct', ok], { ...env, DATABASE_URL: '' });
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain('--direct needs DATABASE_URL');
  });

  it('exits 0 when every line was accepted, 1 when one was rejected, and reports each line', async () => {
    const { workspace } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'api' });
    const good = file('good.jsonl', '# two deploys', { op: 'deploy', workspace: 'acme', projectId: 'api', image: HELLO_API }, '', {
      op: 'deploy',
      workspace: 'acme',
      projectId: 'api',
      environment: 'preview',
      image: HELLO_API,
    });

    const first = await enqueue([good, '--direct']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^line\s+2 {2}deploy {2}enqueued op_\w+, deployment dep_\w+ - deploy file:examples\/hello-api to api\/production$/m);
    expect(first.stdout).toMatch(/^line\s+4 {2}deploy {2}enqueued op_/m);
    expect(first.stdout).toMatch(/^2 line\(s\): 2 enqueued in \d+\.\ds$/m);
    expect(first.stderr).toMatch(/^enqueue: 2\/2 lines, [\d.]+\/s, done$/m);
    // The flows went onto the queues the harness's workers read (same Redis, same prefix), and ran.
    const ops = await h.db.prisma.operation.findMany({ where: { project: { workspaceId: workspace.id } } });
    expect(ops.map((o) => o.requestedBy).sort()).toEqual(['script:good.jsonl:2', 'script:good.jsonl:4']);
    for (const op of ops) expect((await h.waitForOperation(op.id)).state).toBe('succeeded');

    const again = await enqueue([good, '--json', '--direct']);
    expect(again.code).toBe(0);
    const rows = again.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.slice(0, 2).map((r) => [r.line, r.op, r.outcome])).toEqual([
      [2, 'deploy', 'already done'],
      [4, 'deploy', 'already done'],
    ]);
    expect(rows.slice(0, 2).map((r) => r.operationId).sort()).toEqual(ops.map((o) => o.id).sort());
    expect(rows[2]).toEqual({ summary: expect.objectContaining({ total: 2, alreadyDone: 2, rejected: 0, dryRun: false }) });

    const mixed = file('mixed.jsonl', { op: 'cancel', workspace: 'acme' }, { op: 'undo', workspace: 'acme', projectId: 'api' });
    const partly = await enqueue([mixed, '--direct', '--concurrency', '2', '--rate', '50']);
    expect(partly.code).toBe(1);
    expect(partly.stdout).toMatch(/^line\s+1 {2}cancel {2}rejected validation_failed: line 1: deploymentId: /m);
    expect(partly.stdout).toMatch(/^line\s+2 {2}undo {4}enqueued op_/m);
    expect(partly.stdout).toMatch(/^2 line\(s\): 1 enqueued, 1 rejected/m);
    const undo = await h.db.prisma.operation.findFirstOrThrow({ where: { kind: 'undo', requestedBy: 'script:mixed.jsonl:2' } });
    await h.waitForOperation(undo.id);

    const dry = await enqueue([file('dry.jsonl', { op: 'deploy', workspace: 'acme', projectId: 'api', image: HELLO_API, git: { branch: 'next' } }), '--dry-run', '--direct']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^line\s+1 {2}deploy {2}would enqueue - deploy file:examples\/hello-api to api\/production$/m);
    expect(dry.stdout).toContain('(dry run: nothing written)');
    expect(await h.db.prisma.operation.count({ where: { requestedBy: { startsWith: 'script:dry.jsonl' } } })).toBe(0);
  });
});
