import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiHarness, startApiHarness, WorkspaceKeys } from '../api/support/api-harness';
import { createProject } from '../api/support/deployments';
import { HELLO_API } from '../support/engine-harness';
import { ApiOverSocket, serveOverSocket } from './support/api-over-socket';
import { bulkText } from './support/bulk-file';
import { runEnqueue, startEnqueue } from './support/enqueue-process';

// Each run starts a Node process with tsx on a loaded machine: the bounds catch a hang, they time nothing.
jest.setTimeout(180_000);

const LINES = 60;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The script against a real API (PostgreSQL and Redis from the test harness; no workers, so deploys stay queued).
 * A front holds each POST for `holdMs` before the API sees it, so a run of 60 lines lasts long enough to be
 * interrupted in the middle.
 */
describe('Ctrl-C during npm run enqueue', () => {
  let h: ApiHarness;
  let api: ApiOverSocket;
  let ws: WorkspaceKeys;
  let dir: string;
  let holdMs = 0;
  beforeAll(async () => {
    h = await startApiHarness();
    api = await serveOverSocket(h.app, async (req): Promise<'pass'> => {
      if (req.method === 'POST' && holdMs > 0) await sleep(holdMs);
      return 'pass';
    });
    ws = await h.workspace('acme');
    await createProject(h, ws.admin, 'api');
    dir = mkdtempSync(path.join(os.tmpdir(), 'enqueue-sigint-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await api.close();
    await h.close();
  });

  const env = () => ({ DEPLOYFLOW_API_URL: api.url, DEPLOYFLOW_API_KEY: ws.deployer });
  const deployPosts = () => api.requests.filter((r) => r.method === 'POST' && r.path === '/v1/deployments');
  const summaryOf = (stdout: string) => {
    const line = /^(\d+) line\(s\)(?: \(([^)]*)\))?: (.*) in \d+\.\ds/m.exec(stdout);
    if (!line) throw new Error(`no summary in:\n${stdout}`);
    const count = (what: string) => Number(new RegExp(`(\\d+) ${what}`).exec(line[3])?.[1] ?? 0);
    return { total: Number(line[1]), notes: line[2] ?? '', enqueued: count('enqueued'), alreadyDone: count('already done'), interrupted: count('interrupted'), notRun: count('not run') };
  };

  it('stops sending lines, lets the ones under way finish, prints what ran and what did not, exits 130; a rerun applies no line twice', async () => {
    const file = path.join(dir, 'many.jsonl');
    writeFileSync(file, bulkText(...Array.from({ length: LINES }, (_, i) => ({ op: 'deploy', projectId: 'api', image: HELLO_API, git: { branch: `b${i + 1}` } }))));

    holdMs = 400;
    const run = startEnqueue([file, '--concurrency', '2'], env());
    // Rows are printed as lines finish: the third one is on stdout while the run still has most of the file to go.
    await run.waitForStdout(/^line\s+3 {2}deploy {2}enqueued op_/m);
    expect(run.child.exitCode).toBeNull();
    run.child.kill('SIGINT');
    const stopped = await run.done;

    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('enqueue: Ctrl-C: starting no more lines');
    const summary = summaryOf(stopped.stdout);
    expect(summary.total).toBe(LINES);
    expect(summary.notes).toBe('stopped: Ctrl-C');
    // Lines under way when Ctrl-C came (held 400 ms, well within the 5 s grace) finished and were reported.
    expect(summary.interrupted).toBe(0);
    expect(summary.enqueued).toBeGreaterThanOrEqual(3);
    expect(summary.notRun).toBeGreaterThan(0);
    expect(summary.enqueued + summary.notRun).toBe(LINES);
    // The lines not run are named, in file order, after every row of a line that ran.
    const rows = [...stopped.stdout.matchAll(/^line\s+(\d+) {2}deploy {2}enqueued op_\w+/gm)].map((m) => Number(m[1]));
    expect(rows.sort((a, b) => a - b)).toEqual(Array.from({ length: summary.enqueued }, (_, i) => i + 1));
    expect(stopped.stdout).toContain(`not run: line(s) ${summary.enqueued + 1}-${LINES} (running the file again runs them and skips what is done)`);
    // No new line was sent after Ctrl-C: every request the API saw is a line reported as enqueued, and it made one deploy each.
    expect(deployPosts()).toHaveLength(summary.enqueued);
    expect(await h.db.prisma.operation.count({ where: { kind: 'deploy' } })).toBe(summary.enqueued);

    // The same file again, uninterrupted: what ran is "already done", the rest runs; every line applied exactly once.
    holdMs = 0;
    const again = await runEnqueue([file, '--concurrency', '4'], env());
    expect(again.code).toBe(0);
    const rerun = summaryOf(again.stdout);
    expect(rerun).toMatchObject({ total: LINES, notes: '', alreadyDone: summary.enqueued, enqueued: LINES - summary.enqueued, notRun: 0 });
    expect(await h.db.prisma.operation.count({ where: { kind: 'deploy' } })).toBe(LINES);
    expect(await h.db.prisma.deployment.count()).toBe(LINES);
  });

  it('reports a line still under way after the grace period as interrupted, and a rerun does not apply it twice', async () => {
    const file = path.join(dir, 'slow.jsonl');
    writeFileSync(file, bulkText({ op: 'deploy', projectId: 'api', image: HELLO_API, git: { branch: 'slow' } }, { op: 'deploy', projectId: 'api', image: HELLO_API, git: { branch: 'later' } }));
    const operationsBefore = await h.db.prisma.operation.count();

    // The API sees the first line only after 8 s: longer than the 5 s the script waits after Ctrl-C.
    holdMs = 8_000;
    const postsBefore = deployPosts().length;
    const run = startEnqueue([file], env());
    while (deployPosts().length === postsBefore) await sleep(50);
    run.child.kill('SIGINT');
    const stopped = await run.done;

    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toMatch(/^line\s+1 {2}deploy {2}interrupted - under way when the run stopped: it may or may not have been applied; running the file again is safe$/m);
    expect(stopped.stdout).toContain('not run: line(s) 2 ');
    expect(summaryOf(stopped.stdout)).toMatchObject({ total: 2, notes: 'stopped: Ctrl-C', interrupted: 1, notRun: 1, enqueued: 0 });

    // The held request still reaches the API after the script has gone ("may have been applied"); a rerun finds it.
    await sleep(holdMs);
    holdMs = 0;
    const again = await runEnqueue([file], env());
    expect(again.code).toBe(0);
    const rerun = summaryOf(again.stdout);
    expect(rerun.alreadyDone + rerun.enqueued).toBe(2);
    expect(await h.db.prisma.operation.count()).toBe(operationsBefore + 2);
  });
});
