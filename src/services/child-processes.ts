import { readdirSync, readFileSync } from 'node:fs';

interface ChildProcessInfo {
  pid: number;
  /** Process group id: a child started `detached` leads a group of its own, holding whatever it started. */
  pgid: number;
}

/** The direct children of a process, from /proc (empty where /proc does not exist). */
export function childProcessesOf(parentPid: number): ChildProcessInfo[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const children: ChildProcessInfo[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may contain spaces and parentheses): state, ppid, pgrp, ...
      const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === parentPid) children.push({ pid: Number(entry), pgid: Number(pgrp) });
    } catch {
      // exited while we looked
    }
  }
  return children;
}

/**
 * SIGKILLs every child of this process at once, and the process group of each child that leads one (an app instance
 * and whatever it started). Synchronous, for the last moment before exit: nothing we started may outlive us.
 * Our own children cannot have been replaced by strangers: until we reap them their PIDs stay theirs.
 */
export function killChildProcessesNow(): number[] {
  const killed: number[] = [];
  for (const child of childProcessesOf(process.pid)) {
    if (child.pgid === child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is empty already
      }
    }
    try {
      process.kill(child.pid, 'SIGKILL');
      killed.push(child.pid);
    } catch {
      // gone already
    }
  }
  return killed;
}
