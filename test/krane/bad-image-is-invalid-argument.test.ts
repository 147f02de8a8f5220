import { Status } from 'nice-grpc';
import { TerminalError } from '../../src/errors';
import { EmbeddedKrane, startEmbeddedKrane } from '../../src/krane/embedded';
import { KraneTerminalError } from '../../src/krane/errors';
import { FAST_DRIVER, helloSpec } from './krane-test-kit';

describe('an image the process driver cannot run', () => {
  let krane: EmbeddedKrane;

  beforeAll(async () => {
    krane = await startEmbeddedKrane(FAST_DRIVER);
  });

  afterAll(async () => {
    await krane.stop();
  });

  it('fails create with a terminal INVALID_ARGUMENT naming the missing image as sent, and creates nothing', async () => {
    const error = await krane.client.create(helloSpec('dep_bad_path', { image: 'file:examples/no-such-app' })).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(KraneTerminalError);
    expect(error).toBeInstanceOf(TerminalError);
    expect(error).toMatchObject({
      code: 'krane_invalid_argument',
      grpcCode: Status.INVALID_ARGUMENT,
      call: 'CreateDeployment',
      target: 'acme/dep_bad_path',
      retryable: false,
    });
    expect((error as Error).message).toBe(
      'krane CreateDeployment acme/dep_bad_path failed: INVALID_ARGUMENT image "file:examples/no-such-app" not found or not a directory in the images directory',
    );
    expect(await krane.client.get('acme', 'dep_bad_path')).toEqual([]);
  });

  it('rejects an image scheme the driver does not know', async () => {
    await expect(krane.client.create(helloSpec('dep_docker', { image: 'ghcr.io/acme/api:1.2.3' }))).rejects.toMatchObject({
      grpcCode: Status.INVALID_ARGUMENT,
      message: expect.stringContaining('"ghcr.io/acme/api:1.2.3" is not supported by the process driver'),
    });
  });

  it('rejects a directory with nothing to run', async () => {
    await expect(krane.client.create(helloSpec('dep_no_entry', { image: 'file:test/krane/fixtures/no-entry' }))).rejects.toMatchObject({
      grpcCode: Status.INVALID_ARGUMENT,
      message: expect.stringContaining('has neither a package.json start script nor an index.js'),
    });
  });
});
