import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireDataDirLock, DataDirInUseError, LOCK_FILE_NAME } from '../../src/services/data-dir-lock';
import { processStartTime } from '../../src/services/process-identity';

describe('the DATA_DIR lock', () => {
  let dir: string;
  let lockFile: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'deployflow-lock-'));
    lockFile = path.join(dir, LOCK_FILE_NAME);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeLock = (content: unknown) => writeFileSync(lockFile, typeof content === 'string' ? content : JSON.stringify(content));

  it('refuses while its owner runs, naming the owner, and leaves the lock as it was', () => {
    // This process is a live owner: same PID, same start time.
    const owner = { pid: process.pid, startTime: processStartTime(process.pid), startedAt: '2026-01-01T00:00:00.000Z' };
    writeLock(owner);
    const before = readFileSync(lockFile, 'utf8');
    let error: unknown;
    try {
      acquireDataDirLock(dir);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DataDirInUseError);
    expect((error as Error).message).toBe(
      `DATA_DIR ${dir} is in use by deployflow process ${process.pid} (running since 2026-01-01T00:00:00.000Z): stop that one first, or give this one another DATA_DIR`,
    );
    expect(readFileSync(lockFile, 'utf8')).toBe(before);
  });

  it('takes over a lock whose PID now belongs to another process (the start time differs)', () => {
    writeLock({ pid: process.pid, startTime: '1', startedAt: 'then' });
    const lock = acquireDataDirLock(dir);
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: process.pid, startTime: processStartTime(process.pid) });
    lock.release();
    expect(existsSync(lockFile)).toBe(false);
  });

  it('takes over a lock whose owner is gone, and one that is not a lock at all', () => {
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout.trim());
    writeLock({ pid: deadPid, startTime: '12345', startedAt: 'then' });
    acquireDataDirLock(dir).release();

    writeLock('{ half-written');
    const lock = acquireDataDirLock(dir);
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('release removes only a lock that is still its own', () => {
    const lock = acquireDataDirLock(dir);
    // Someone else took it over in between (e.g. after judging this process gone): not ours to remove.
    writeLock({ pid: 1, startTime: processStartTime(1), startedAt: 'later' });
    lock.release();
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(1);
  });

  it('leaves no temporary files behind', () => {
    acquireDataDirLock(dir).release();
    writeLock({ pid: process.pid, startTime: processStartTime(process.pid), startedAt: 'now' });
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirInUseError);
    expect(readdirSync(dir)).toEqual([LOCK_FILE_NAME]);
  });
});
