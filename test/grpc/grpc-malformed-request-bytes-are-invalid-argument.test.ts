import { Client, credentials, Metadata, ServiceError, status } from '@grpc/grpc-js';
import { GrpcTestBed, startGrpcTestBed } from './grpc-test-bed';

/**
 * Bytes that are no protobuf message of the method's request type, sent as they are (no client-side encoding). Before,
 * grpc-js's own decoder threw and the caller got INTERNAL "Error deserializing request", as if the server had failed.
 */
describe('gRPC answers INVALID_ARGUMENT for request bytes that are not a message', () => {
  let bed: GrpcTestBed;
  let raw: Client;
  beforeAll(async () => {
    bed = await startGrpcTestBed({ workers: false });
    raw = new Client(bed.server.url.replace('http://', ''), credentials.createInsecure());
  });
  afterAll(async () => {
    raw.close();
    await bed.close();
  });
  afterEach(async () => {
    expect(await bed.h.db.prisma.operation.count()).toBe(0);
  });

  const send = (method: string, bytes: Buffer, apiKey?: string) =>
    new Promise<{ error: ServiceError | null; value?: Buffer }>((resolve) => {
      const metadata = new Metadata();
      if (apiKey) metadata.set('authorization', `Bearer ${apiKey}`);
      raw.makeUnaryRequest(`/hydra.v1.DeploymentService/${method}`, (b: Buffer) => b, (b: Buffer) => b, bytes, metadata, (error, value) => resolve({ error, value }));
    });

  const malformed: [string, Buffer][] = [
    ['a field whose length runs past the end', Buffer.from([0x0a, 0x20, 0x64])],
    ['a length that does not fit in 32 bits', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])],
    ['a field of wire type 7, which protobuf does not have', Buffer.from([0x0f])],
    ['5,000 group starts', Buffer.alloc(5000, 0x0b)],
  ];

  it.each(['Deploy', 'Rollback', 'Promote'])('%s: every malformed payload is INVALID_ARGUMENT saying the bytes are no request message', async (method) => {
    for (const [, bytes] of malformed) {
      const { error } = await send(method, bytes, bed.keys.deployer);
      expect(error?.code).toBe(status.INVALID_ARGUMENT);
      expect(error?.details).toMatch(new RegExp(`^invalid request: the bytes are not a hydra\\.v1\\.DeploymentService/${method} request message \\(.+\\)$`));
    }
  });

  it('checks the caller first: without a key it is UNAUTHENTICATED, whatever the bytes', async () => {
    for (const [, bytes] of malformed) expect((await send('Rollback', bytes)).error?.code).toBe(status.UNAUTHENTICATED);
  });

  it('still decodes a well-formed message: an empty Promote names the missing field', async () => {
    const { error } = await send('Promote', Buffer.alloc(0), bed.keys.deployer);
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/target_deployment_id: is required/);
  });
});
