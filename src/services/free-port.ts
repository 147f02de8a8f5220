import net from 'node:net';

/** Asks the OS for a free TCP port on loopback. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on host:port, or rejects after timeoutMs. */
export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on ${host}:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether a server failed to start because its port was taken (redis-server and PostgreSQL both say so this way). */
function portWasTaken(err: unknown): boolean {
  return err instanceof Error && /Address already in use/.test(err.message);
}

/**
 * Starts a server on `given`, or else on a free port picked here, picking another when that one was taken before the
 * server bound it: between `freePort()` and the bind another process can take the port (an outgoing connection's
 * local port, another process's own `freePort()` probe), which on a busy machine happens now and then. A port the
 * caller gave is used as it is: a server restarted where its clients expect it must not move.
 */
export async function startOnFreePort<T>(given: number | undefined, start: (port: number) => Promise<T>, attempts = 3): Promise<T> {
  if (given !== undefined) return start(given);
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (err) {
      if (attempt >= attempts || !portWasTaken(err)) throw err;
    }
  }
}
