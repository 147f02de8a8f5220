import { Client, credentials, Metadata as RawMetadata, ServiceError } from '@grpc/grpc-js';
import { createChannel, createClient, Metadata, Status } from 'nice-grpc';
import { DeploymentServiceDefinition } from '../../src/generated/proto/krane/v1/deployment';
import { EmbeddedKrane, startEmbeddedKrane } from '../../src/krane/embedded';
import { KraneTerminalError } from '../../src/krane/errors';
import { KraneDeploymentSpec } from '../../src/krane/types';
import { FAST_DRIVER, helloSpec } from './krane-test-kit';

describe('a malformed request', () => {
  let krane: EmbeddedKrane;

  beforeAll(async () => {
    krane = await startEmbeddedKrane(FAST_DRIVER);
  });

  afterAll(async () => {
    await krane.stop();
  });

  const cases: Array<[string, Partial<KraneDeploymentSpec>, string]> = [
    ['a missing namespace', { namespace: '' }, 'namespace is required'],
    ['a missing deployment id', { deploymentId: '' }, 'deployment_id is required'],
    ['a missing image', { image: '' }, 'image is required'],
    ['0 replicas', { replicas: 0 }, 'replicas must be between 1 and 20, got 0'],
    ['21 replicas', { replicas: 21 }, 'replicas must be between 1 and 20, got 21'],
    ['a deployment id with a slash', { deploymentId: 'dep/../x' }, 'deployment_id "dep/../x" must be'],
    ['a health check path without a slash', { healthCheckPath: 'healthz' }, 'health_check_path "healthz" must be a path'],
    ['a bad env variable name', { env: { 'NOT-VALID': 'x' } }, 'env variable name "NOT-VALID" is not a valid name'],
  ];

  it.each(cases)('with %s is a terminal INVALID_ARGUMENT naming the field', async (_what, change, message) => {
    const spec = { ...helloSpec('dep_invalid'), ...change };
    const error = await krane.client.create(spec).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(KraneTerminalError);
    expect(error).toMatchObject({ grpcCode: Status.INVALID_ARGUMENT, code: 'krane_invalid_argument' });
    expect((error as Error).message).toContain(message);
    expect(await krane.driver.get('acme', 'dep_invalid').catch(() => 'absent')).toBe('absent');
  });

  it('without ids is INVALID_ARGUMENT on get and delete too', async () => {
    await expect(krane.client.get('', 'dep_x')).rejects.toMatchObject({ grpcCode: Status.INVALID_ARGUMENT, message: expect.stringContaining('namespace is required') });
    await expect(krane.client.delete('acme', '')).rejects.toMatchObject({ grpcCode: Status.INVALID_ARGUMENT, message: expect.stringContaining('deployment_id is required') });
  });

  it('without a deployment message at all is INVALID_ARGUMENT', async () => {
    const channel = createChannel(krane.url);
    try {
      const raw = createClient(DeploymentServiceDefinition, channel);
      await expect(raw.createDeployment({}, { metadata: Metadata({ authorization: `Bearer ${krane.token}` }) })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: 'deployment is required' });
    } finally {
      channel.close();
    }
  });
  // grpc-js answers a decoder that throws with INTERNAL before Krane's own middleware runs; bytes are checked after the token.
  it('as bytes that are no protobuf message is INVALID_ARGUMENT for a caller with the token, UNAUTHENTICATED without it', async () => {
    const raw = new Client(krane.url.replace(/^http:\/\//, ''), credentials.createInsecure());
    const send = (token?: string) =>
      new Promise<ServiceError | null>((resolve) => {
        const metadata = new RawMetadata();
        if (token) metadata.set('authorization', `Bearer ${token}`);
        raw.makeUnaryRequest('/krane.v1.DeploymentService/CreateDeployment', (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0x0f]), metadata, (error) => resolve(error));
      });
    try {
      const withToken = await send(krane.token);
      expect(withToken?.code).toBe(Status.INVALID_ARGUMENT);
      expect(withToken?.details).toMatch(/^invalid request: the bytes are not a krane\.v1\.DeploymentService\/CreateDeployment request message \(.+\)$/);
      expect((await send())?.code).toBe(Status.UNAUTHENTICATED);
    } finally {
      raw.close();
    }
  });
});
