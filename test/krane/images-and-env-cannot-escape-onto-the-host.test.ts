import path from 'node:path';
import { Status } from 'nice-grpc';
import { EmbeddedKrane, startEmbeddedKrane } from '../../src/krane/embedded';
import { FAST_DRIVER, helloSpec, REPO_ROOT } from './krane-test-kit';

/** With the process driver an image is code run on this machine: it comes from the images directory, and its env cannot change how the runtime starts. */
describe('the process driver sandbox', () => {
  let krane: EmbeddedKrane;
  beforeAll(async () => {
    krane = await startEmbeddedKrane({ ...FAST_DRIVER, imagesDir: path.join(REPO_ROOT, 'examples') });
  });
  afterAll(async () => krane.stop());

  it.each(['file:.', 'file:/', 'file:src', 'file:examples/../test/krane/fixtures', `file:${REPO_ROOT}`])('refuses %s: outside the images directory', async (image) => {
    await expect(krane.client.create(helloSpec('dep_escape', { image }))).rejects.toMatchObject({
      grpcCode: Status.INVALID_ARGUMENT,
      message: expect.stringMatching(/outside the images directory|not found or not a directory|has neither/),
    });
    expect(await krane.client.get('acme', 'dep_escape')).toEqual([]);
  });

  it('still runs an image inside it', async () => {
    await expect(krane.client.create(helloSpec('dep_inside'))).resolves.toEqual({ alreadyExisted: false });
    await krane.client.delete('acme', 'dep_inside');
  });

  it.each(['NODE_OPTIONS', 'LD_PRELOAD', 'PATH', 'BASH_ENV', 'node_options'])('refuses env %s with INVALID_ARGUMENT', async (name) => {
    await expect(krane.client.create(helloSpec('dep_env', { env: { [name]: '--import=data:text/javascript,process.exit(9)' } }))).rejects.toMatchObject({
      grpcCode: Status.INVALID_ARGUMENT,
      message: expect.stringContaining(`env variable ${name} may not be set`),
    });
  });
});
