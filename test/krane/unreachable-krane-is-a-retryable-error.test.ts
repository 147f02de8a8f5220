import net from 'node:net';
import { Status } from 'nice-grpc';
import { RetryableError } from '../../src/errors';
import { createKraneClient } from '../../src/krane/client';
import { ProcessDriver } from '../../src/krane/drivers/process-driver';
import { KraneRetryableError } from '../../src/krane/errors';
import { startKraneServer } from '../../src/krane/server';
import { freePort } from '../../src/services/free-port';
import { helloSpec, REPO_ROOT, TEST_KRANE_TOKEN } from './krane-test-kit';

describe('a Krane that does not answer', () => {
  it('nothing listening: every call fails with a retryable UNAVAILABLE', async () => {
    const client = createKraneClient(`http://127.0.0.1:${await freePort()}`, { token: TEST_KRANE_TOKEN });
    try {
      for (const call of [
        () => client.create(helloSpec('dep_x')),
        () => client.get('acme', 'dep_x'),
        () => client.delete('acme', 'dep_x'),
      ]) {
        const error = await call().catch((err: unknown) => err);
        expect(error).toBeInstanceOf(KraneRetryableError);
        expect(error).toBeInstanceOf(RetryableError);
        expect(error).toMatchObject({ grpcCode: Status.UNAVAILABLE, code: 'krane_unavailable', retryable: true });
      }
    } finally {
      client.close();
    }
  });

  it('a server that was stopped: calls that worked before fail with a retryable UNAVAILABLE', async () => {
    const driver = new ProcessDriver({ rootDir: REPO_ROOT });
    const server = await startKraneServer({ driver, token: TEST_KRANE_TOKEN });
    const client = createKraneClient(server.url, { token: TEST_KRANE_TOKEN });
    try {
      expect(await client.get('acme', 'dep_y')).toEqual([]);
      await server.stop();
      await expect(client.get('acme', 'dep_y')).rejects.toMatchObject({
        grpcCode: Status.UNAVAILABLE,
        retryable: true,
        message: expect.stringMatching(/^krane GetDeployment acme\/dep_y failed: UNAVAILABLE/),
      });
    } finally {
      client.close();
      await server.stop();
      await driver.shutdown();
    }
  });

  it('a peer that accepts connections but never speaks gRPC: the deadline ends the call with a retryable DEADLINE_EXCEEDED', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const client = createKraneClient(`127.0.0.1:${port}`, { token: TEST_KRANE_TOKEN, deadlineMs: 300 });
    try {
      await expect(client.get('acme', 'dep_z')).rejects.toMatchObject({
        grpcCode: Status.DEADLINE_EXCEEDED,
        code: 'krane_deadline_exceeded',
        retryable: true,
      });
    } finally {
      client.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('a driver that has shut down answers UNAVAILABLE', async () => {
    const driver = new ProcessDriver({ rootDir: REPO_ROOT });
    const server = await startKraneServer({ driver, token: TEST_KRANE_TOKEN });
    const client = createKraneClient(server.url, { token: TEST_KRANE_TOKEN });
    try {
      await driver.shutdown();
      await expect(client.create(helloSpec('dep_after_shutdown'))).rejects.toMatchObject({ grpcCode: Status.UNAVAILABLE, retryable: true });
    } finally {
      client.close();
      await server.stop();
    }
  });
});
