import { spawn, ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../support/engine-harness';

export interface EnqueueRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface EnqueueProcess {
  child: ChildProcess;
  /** Resolves once stdout contains a match of `pattern` (fails if the process exits first). */
  waitForStdout(pattern: RegExp): Promise<void>;
  done: Promise<EnqueueRun>;
}

/**
 * `node --import tsx scripts/enqueue.ts …args` as its own process (one PID: a signal reaches the script itself), with
 * only PATH, HOME and `env` in its environment. stdout and stderr are pipes, not a terminal.
 */
export function startEnqueue(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 90_000): EnqueueProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'enqueue.ts'), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const w of [...watchers]) {
      if (w.pattern.test(stdout)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Bounds a hang of the script; it times nothing.
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<EnqueueRun>((resolve) =>
    // 'close', not 'exit': by then stdout and stderr have been read to their end.
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return {
    child,
    done,
    waitForStdout: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stdout)) return resolve();
        watchers.push({ pattern, resolve });
        void done.then((run) => reject(new Error(`enqueue exited (${run.code ?? run.signal}) before printing ${pattern}:\n${run.stdout}\n${run.stderr}`)));
      }),
  };
}

/** Runs the script to its end. */
export function runEnqueue(args: string[], env: Record<string, string | undefined> = {}): Promise<EnqueueRun> {
  return startEnqueue(args, env).done;
}
