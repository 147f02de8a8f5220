import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RoleProcess } from './support/role-process';

const VALID = 'valid roles are api, gateway, worker, krane, all';

/** Runs the entry point to its exit (bounded) and returns its code, output and how long it took. */
async function runToExit(args: string[], env: Record<string, string>, script?: string) {
  const startedAt = Date.now();
  const proc = script
    ? RoleProcess.start(script, args, env, { kind: 'file', file: script, nodeArgs: ['--import', 'tsx'] })
    : RoleProcess.start(args.join(' ') || 'main', args, env);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 30_000);
  const { code } = await proc.exited;
  clearTimeout(timer);
  return { code, output: proc.output, ms: Date.now() - startedAt };
}

describe('choosing a role', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'deployflow-roles-refused-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    ['--role bogus', ['--role', 'bogus'], {}, '--role "bogus" is not a role'],
    ['--role=workers', ['--role=workers'], {}, '--role "workers" is not a role'],
    ['--role with no value', ['--role'], {}, '--role needs a value'],
    ['ROLE=web', [], { ROLE: 'web' }, 'ROLE "web" is not a role'],
  ])('%s: exits 2 at once with one line listing the valid roles, touching nothing', async (_what, args, env, expected) => {
    const { code, output } = await runToExit(args, { DATA_DIR: dataDir, ...env });
    expect(code).toBe(2);
    expect(output.trim()).toBe(`deployflow: cannot start: ${expected}: ${VALID}`);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it.each([
    ['api', {}, ['REDIS_URL', 'DATABASE_URL']],
    ['gateway', { REDIS_URL: 'redis://127.0.0.1:1' }, ['DATABASE_URL']],
    ['worker', { DATABASE_URL: 'postgresql://app@127.0.0.1:1/deployflow' }, ['REDIS_URL', 'KRANE_URL', 'KRANE_TOKEN']],
  ])('--role %s without its shared services exits 2 at once naming each missing variable, starting nothing embedded', async (role, env, missing) => {
    const { code, output, ms } = await runToExit(['--role', role], { DATA_DIR: dataDir, ...env });
    console.log(`--role ${role}: exit ${code} after ${ms} ms: ${output.trim()}`);
    expect(code).toBe(2);
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`deployflow ${role}: cannot start: --role ${role} needs ${missing.join(', ')}:`);
    expect(lines[0]).toContain('cannot run an embedded one');
    // It never reached the servers it was given (port 1 refuses): the check comes before any connection.
    expect(lines[0]).not.toContain('not reachable');
    // No embedded Redis or PGlite was started under DATA_DIR, and no lock was taken.
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('npm run worker (src/worker-main.ts) is --role worker: the same refusal', async () => {
    const { code, output } = await runToExit([], { DATA_DIR: dataDir }, path.join('src', 'worker-main.ts'));
    expect(code).toBe(2);
    expect(output).toContain('--role worker needs REDIS_URL, DATABASE_URL, KRANE_URL, KRANE_TOKEN:');
  });

  it('--role krane without KRANE_TOKEN refuses (it needs no Redis or PostgreSQL, only its secret)', async () => {
    const { code, output } = await runToExit(['--role', 'krane'], { DATA_DIR: dataDir, KRANE_PORT: '0', HEALTH_PORT: '0' });
    expect(code).toBe(2);
    expect(output).toContain('KRANE_TOKEN');
    expect(output).not.toContain('krane listening');
  });
});
