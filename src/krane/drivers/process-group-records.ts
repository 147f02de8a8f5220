import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The process group of every instance the process driver runs, one file each (named by the group's id, holding the
 * instance id) in a directory of the installation's data. Instances run in process groups of their own, so a control
 * plane killed before it could stop them (SIGKILL, the OOM killer, a tenant's app signalling it) left them running:
 * the next start ran its instances afresh beside them, and nothing stopped the old ones. The next driver on the same
 * directory stops them first.
 */
export class ProcessGroupRecords {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  add(groupId: number, instanceId: string): void {
    // Written before the instance is reported: a crash right after still finds it.
    writeFileSync(path.join(this.dir, String(groupId)), instanceId);
  }

  remove(groupId: number): void {
    rmSync(path.join(this.dir, String(groupId)), { force: true });
  }

  /**
   * SIGKILL to each recorded group that still has a member started as that instance: its environment says
   * `INSTANCE_ID=<id>` (every instance's does), so a group id the kernel has since given to an unrelated process is
   * never signalled. Returns how many groups were stopped; every record is gone afterwards.
   */
  stopLeftovers(): number {
    let stopped = 0;
    for (const name of readdirSync(this.dir)) {
      const groupId = Number(name);
      const instanceId = readFileSync(path.join(this.dir, name), 'utf8');
      if (Number.isInteger(groupId) && groupId > 1 && instanceId && groupHasInstance(groupId, instanceId)) {
        try {
          process.kill(-groupId, 'SIGKILL');
          stopped++;
        } catch {
          // Ended in the meantime.
        }
      }
      rmSync(path.join(this.dir, name), { force: true });
    }
    return stopped;
  }
}

/** Whether any live process is in the group and was started with `INSTANCE_ID=<instanceId>`. */
function groupHasInstance(groupId: number, instanceId: string): boolean {
  const marker = `\0INSTANCE_ID=${instanceId}\0`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // `pid (comm) state ppid pgrp ...`: comm may hold spaces and parentheses, so the fields are counted after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== groupId) continue;
      if (`\0${readFileSync(`/proc/${entry}/environ`, 'latin1')}`.includes(marker)) return true;
    } catch {
      // Gone while we looked, or not ours to read.
    }
  }
  return false;
}
