import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { currentProcessIdentity, isSameProcessRunning, ProcessIdentity } from './process-identity';

export const LOCK_FILE_NAME = 'deployflow.lock';

interface LockContent extends ProcessIdentity {
  startedAt: string;
}

/** DATA_DIR belongs to a live process: a second `npm start` on it must not touch anything. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: LockContent,
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by deployflow process ${owner.pid} (running since ${owner.startedAt}): ` +
        'stop that one first, or give this one another DATA_DIR',
    );
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  path: string;
  /** Removes the lock file if it is still ours. Synchronous, so it can run in a process 'exit' handler. */
  release(): void;
}

function readLock(file: string): LockContent | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockContent>;
    if (typeof parsed.pid !== 'number') return undefined;
    return { pid: parsed.pid, startTime: parsed.startTime, startedAt: String(parsed.startedAt ?? 'an unknown time') };
  } catch {
    return undefined;
  }
}

function sameOwner(a: LockContent | undefined, b: LockContent | undefined): boolean {
  return !!a && !!b && a.pid === b.pid && a.startTime === b.startTime;
}

/**
 * Takes DATA_DIR for this process: `DATA_DIR/deployflow.lock` names the owner by PID and start time. The file is
 * written aside and hard-linked into place, so it appears whole or not at all and two starters cannot both win.
 * A lock whose owner is gone (killed, crashed, or its PID now belongs to another process) is taken over.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE_NAME);
  const mine: LockContent = { ...currentProcessIdentity(), startedAt: new Date().toISOString() };
  const draft = `${file}.${process.pid}.tmp`;
  writeFileSync(draft, JSON.stringify(mine) + '\n', { mode: 0o644 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(draft, file);
        return {
          path: file,
          release() {
            if (sameOwner(readLock(file), mine)) rmSync(file, { force: true });
          },
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = readLock(file);
      if (owner && isSameProcessRunning(owner)) throw new DataDirInUseError(dataDir, owner);
      takeOverStaleLock(file, owner);
    }
    throw new Error(`could not take ${file}: other processes kept taking it; try again`);
  } finally {
    rmSync(draft, { force: true });
  }
}

/**
 * Moves a stale lock out of the way. Another starter may have replaced it in the meantime: what was moved is checked
 * and, if it is not the stale lock judged, put back (link fails if yet another one got in; that one then wins).
 */
function takeOverStaleLock(file: string, judged: LockContent | undefined): void {
  const aside = `${file}.stale.${process.pid}`;
  try {
    renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else removed it: just try again
    throw err;
  }
  const moved = readLock(aside);
  if (moved && !sameOwner(moved, judged) && isSameProcessRunning(moved)) {
    try {
      linkSync(aside, file);
    } catch {
      // a third starter holds the lock now and wins; the one whose lock was moved keeps running without a file
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // already gone
  }
}
