import Docker from 'dockerode';
import { Status } from 'nice-grpc';
import { loadConfig } from '../../src/config';
import { DriverUnavailableError } from '../../src/krane/driver';
import { DockerDriver } from '../../src/krane/drivers/docker-driver';
import { UnsafeNetworkError } from '../../src/krane/drivers/docker-network';
import { EmbeddedKrane, startEmbeddedKrane } from '../../src/krane/embedded';
import { connectTestDocker, describeWithDocker, TestDocker } from '../support/docker-for-tests';
import { helloSpec } from './krane-test-kit';

describe('the docker driver without a daemon', () => {
  it('refuses to start, naming where it looked and what to do', async () => {
    const docker = new Docker({ socketPath: '/tmp/deployflow-no-such-docker.sock' });
    const started = DockerDriver.start({ kraneId: 'nobody', docker, daemon: 'unix:///tmp/deployflow-no-such-docker.sock' });
    await expect(started).rejects.toBeInstanceOf(DriverUnavailableError);
    await expect(started).rejects.toThrow(/no docker daemon answers at unix:\/\/\/tmp\/deployflow-no-such-docker\.sock .*point DOCKER_HOST at one/);
  });

  it('is never configured onto the host network', () => {
    expect(() => loadConfig({ KRANE_DOCKER_NETWORK: 'host' })).toThrow(/KRANE_DOCKER_NETWORK: must be a bridge network/);
    expect(() => loadConfig({ KRANE_DRIVER: 'kubernetes' })).toThrow(/KRANE_DRIVER/);
    expect(loadConfig({ KRANE_DRIVER: 'docker' }).KRANE_DRIVER).toBe('docker');
    expect(loadConfig({}).KRANE_DRIVER).toBe('process');
  });
});

describeWithDocker('requests the docker driver cannot run', () => {
  let td: TestDocker;
  let krane: EmbeddedKrane<DockerDriver>;

  beforeAll(async () => {
    td = await connectTestDocker();
    krane = await startEmbeddedKrane({ driver: await td.startDriver() });
  }, 120_000);

  afterAll(async () => {
    await krane?.stop();
    await td?.cleanup();
  });

  it('a file: image is INVALID_ARGUMENT saying it belongs to the process driver, and nothing is created', async () => {
    await expect(krane.client.create(helloSpec('dep_dir'))).rejects.toMatchObject({
      grpcCode: Status.INVALID_ARGUMENT,
      retryable: false,
      message: expect.stringContaining('is a directory, which only the process driver runs'),
    });
    expect(await td.containers()).toEqual([]);
  });

  it('a malformed reference is INVALID_ARGUMENT', async () => {
    await expect(krane.client.create(helloSpec('dep_bad_ref', { image: 'registry..example/app:1' }))).rejects.toMatchObject({
      grpcCode: Status.INVALID_ARGUMENT,
      message: expect.stringContaining('is not a container image reference'),
    });
  });

  it('refuses a configured network that is not a bridge', async () => {
    await expect(td.startDriver({ network: 'host' })).rejects.toBeInstanceOf(UnsafeNetworkError);
    await expect(td.startDriver({ network: 'none' })).rejects.toThrow('uses the null driver');
  });
});
