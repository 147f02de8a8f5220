import { spawn } from 'node:child_process';

// Runs as its own small process: if the test runner dies without its global teardown (killed, crashed), the servers it
// started would be left running with no one to stop them. The guard watches the runner's PID and stops them then.
const GUARD = `
const [parent, ...pids] = process.argv.slice(1).map(Number);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
setInterval(() => {
  if (alive(parent)) return;
  for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch {} }
  process.exit(0);
}, 500);
process.on('SIGTERM', () => process.exit(0));
`;

/** Starts the guard for these PIDs; returns a function that stops the guard (call it after stopping them normally). */
export function guardAgainstOrphans(pids: number[]): () => void {
  const guard = spawn(process.execPath, ['-e', GUARD, String(process.pid), ...pids.map(String)], { stdio: 'ignore', detached: true });
  guard.unref();
  return () => {
    try {
      if (guard.pid) process.kill(guard.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
}
