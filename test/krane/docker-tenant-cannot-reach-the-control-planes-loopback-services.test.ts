import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { DockerDriver } from '../../src/krane/drivers/docker-driver';
import { EmbeddedKrane, startEmbeddedKrane } from '../../src/krane/embedded';
import { connectTestDocker, describeWithDocker, TEST_IMAGES, TEST_NETWORK, TestDocker } from '../support/docker-for-tests';
import { readTestServices } from '../support/services-file';
import { eventually, helloSpec, httpGet } from './krane-test-kit';

describeWithDocker('a tenant container on the docker driver', () => {
  let td: TestDocker;
  let krane: EmbeddedKrane<DockerDriver>;
  let control: net.Server | undefined;

  beforeAll(async () => {
    td = await connectTestDocker();
    krane = await startEmbeddedKrane({ driver: await td.startDriver() });
  }, 120_000);

  afterAll(async () => {
    control?.close();
    await krane?.stop();
    await td?.cleanup();
  });

  it('cannot connect to Redis or Krane on the host loopback, nor to another tenant, while a port opened to it is reachable', async () => {
    for (const id of ['dep_probe_a', 'dep_probe_b']) await krane.client.create(helloSpec(id, { image: TEST_IMAGES.tcpProbe }));
    const running = (id: string) =>
      eventually(`${id} running`, async () => {
        const list = await krane.client.get('acme', id);
        return list[0]?.status === 'running' ? list : undefined;
      });
    const [a] = await running('dep_probe_a');
    await running('dep_probe_b');
    const network = async (deploymentId: string) => {
      const [id] = await krane.driver.containerIds('acme', deploymentId);
      return (await td.docker.getContainer(id).inspect()).NetworkSettings.Networks[TEST_NETWORK];
    };
    const { Gateway: hostOnBridge } = await network('dep_probe_a');
    const { IPAddress: otherTenant } = await network('dep_probe_b');
    expect(hostOnBridge).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    // The positive control: a port the host opens on the bridge itself is reachable, so "refused" below means isolation.
    control = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => control!.listen(0, hostOnBridge, resolve));
    const controlPort = (control.address() as AddressInfo).port;

    const redisPort = Number(new URL(readTestServices().redisUrl).port);
    const kranePort = Number(new URL(krane.url).port);
    const probe = async (host: string, port: number) => JSON.parse((await httpGet(a.address, `/probe?host=${host}&port=${port}`)).body) as { connected: boolean; error?: string };

    expect(await probe(hostOnBridge, controlPort)).toMatchObject({ connected: true });
    expect(await probe(hostOnBridge, redisPort)).toMatchObject({ connected: false });
    expect(await probe('127.0.0.1', redisPort)).toMatchObject({ connected: false });
    expect(await probe(hostOnBridge, kranePort)).toMatchObject({ connected: false });
    expect(await probe('127.0.0.1', kranePort)).toMatchObject({ connected: false });
    expect(await probe(otherTenant, 8080)).toMatchObject({ connected: false });
    const inspected = await td.docker.getContainer((await krane.driver.containerIds('acme', 'dep_probe_a'))[0]).inspect();
    expect(inspected.HostConfig.NetworkMode).not.toBe('host');
  });
});
