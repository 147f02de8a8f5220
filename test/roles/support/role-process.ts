import { ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from '../../support/engine-harness';

/** What node runs: src/main.ts through tsx (what `npm start` runs), or another file (a compiled build's main.js). */
export type Entry = { kind: 'source' } | { kind: 'file'; file: string; nodeArgs?: string[] };

/** One `npm start -- --role X` process (one PID: node itself), its output collected, stopped by its PID. */
export class RoleProcess {
  private out = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stdout!.on('data', (c: Buffer) => (this.out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (this.out += c.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** `args` follow the entry point (e.g. ['--role', 'api']); `env` is the whole environment besides PATH and HOME. */
  static start(name: string, args: string[], env: Record<string, string>, entry: Entry = { kind: 'source' }): RoleProcess {
    const nodeArgs = entry.kind === 'source' ? ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'main.ts')] : [...(entry.nodeArgs ?? []), entry.file];
    const child = spawn(process.execPath, [...nodeArgs, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH!, HOME: process.env.HOME!, LOG_LEVEL: 'info', LOG_FORMAT: 'json', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new RoleProcess(name, child);
  }

  get output(): string {
    return this.out;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first match of `pattern` in the output; rejects if the process exits or `timeoutMs` passes. */
  async waitForOutput(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.out);
      if (match) return match;
      if (!this.running) throw new Error(`${this.name} exited before printing ${pattern}:\n${this.out.slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms:\n${this.out.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGTERM, SIGKILL after `graceMs`; the exit code (null when it had to be killed). */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      const { code } = await this.exited;
      clearTimeout(timer);
      return code;
    }
    return (await this.exited).code;
  }
}

/** GET http://127.0.0.1:port/path as JSON (status and body), for health ports and the API. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON the tests pick apart
export async function getJson(port: number, pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${port}${pathname}`, { headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, body };
}

/** Polls until GET `pathname` answers 200 (a process starting up), or fails with the last answer. */
export async function waitFor200(port: number, pathname: string, process: RoleProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    if (!process.running) throw new Error(`${process.name} exited while waiting for ${pathname}:\n${process.output.slice(-4000)}`);
    try {
      const res = await getJson(port, pathname);
      if (res.status === 200) return;
      last = `${res.status} ${JSON.stringify(res.body)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${process.name}: ${pathname} on :${port} not 200 within ${timeoutMs} ms (last: ${last}):\n${process.output.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Whether anything accepts TCP connections on 127.0.0.1:port (a role must not listen where another role does). */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
