import { EmbeddedKrane, startEmbeddedKrane } from '../../src/krane/embedded';
import { DockerDriver } from '../../src/krane/drivers/docker-driver';
import { connectTestDocker, describeWithDocker, TEST_IMAGES, TEST_NETWORK, TestDocker } from '../support/docker-for-tests';
import { eventually, helloSpec, httpGet } from './krane-test-kit';

describeWithDocker('a deployment run by the docker driver', () => {
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

  it('runs one container per replica with the limits, isolation and labels asked for, answering on 127.0.0.1 only', async () => {
    const spec = helloSpec('dep_limits', { image: TEST_IMAGES.helloV1, replicas: 2, cpuMillicores: 500, memoryMib: 96, port: 9000, env: { GREETING: 'hi' }, projectId: 'proj_1' });
    const started = Date.now();
    await expect(krane.client.create(spec)).resolves.toEqual({ alreadyExisted: false });
    const instances = await eventually('both replicas running', async () => {
      const list = await krane.client.get('acme', 'dep_limits');
      return list.length === 2 && list.every((i) => i.status === 'running') ? list : undefined;
    });
    const coldCreateMs = Date.now() - started;

    for (const instance of instances) {
      expect(instance.address).toMatch(/^127\.0\.0\.1:\d+$/);
      const answer = await httpGet(instance.address, '/');
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ deploymentId: 'dep_limits', instanceId: instance.id, version: '1.0.0' });
    }

    const containers = await Promise.all((await krane.driver.containerIds('acme', 'dep_limits')).map((id) => td.docker.getContainer(id).inspect()));
    expect(containers).toHaveLength(2);
    for (const [index, c] of containers.entries()) {
      const host = c.HostConfig;
      expect(host.Memory).toBe(96 * 1024 * 1024);
      expect(host.MemorySwap).toBe(96 * 1024 * 1024);
      expect(host.NanoCpus).toBe(500_000_000);
      expect(host.PidsLimit).toBe(256);
      expect(host.CapDrop).toEqual(['ALL']);
      expect(host.CapAdd ?? []).toEqual([]);
      expect(host.Privileged).toBe(false);
      expect(host.SecurityOpt).toContain('no-new-privileges');
      expect(host.ReadonlyRootfs).toBe(true);
      expect(Object.keys(host.Tmpfs ?? {})).toEqual(['/tmp']);
      expect(host.NetworkMode).toBe(TEST_NETWORK);
      expect(Object.keys(c.NetworkSettings.Networks)).toEqual([TEST_NETWORK]);
      const network = await td.docker.getNetwork(TEST_NETWORK).inspect();
      expect(network.Driver).toBe('bridge');
      // Published on the host's loopback only, for the app's port only.
      expect(Object.keys(host.PortBindings)).toEqual(['9000/tcp']);
      expect(host.PortBindings['9000/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: '' }]);
      const published = c.NetworkSettings.Ports['9000/tcp'] ?? [];
      expect(published.length).toBeGreaterThan(0);
      expect(published.every((p: { HostIp: string }) => p.HostIp === '127.0.0.1')).toBe(true);
      expect(instances.map((i) => i.address)).toContain(`127.0.0.1:${published[0].HostPort}`);
      expect(c.Config.Env).toEqual(expect.arrayContaining(['GREETING=hi', 'PORT=9000', 'HOST=0.0.0.0', 'DEPLOYMENT_ID=dep_limits']));
      expect(c.Config.Labels).toMatchObject({
        'deployflow.krane': td.kraneId,
        'deployflow.workspace': 'acme',
        'deployflow.project': 'proj_1',
        'deployflow.deployment': 'dep_limits',
        'deployflow.instance': instances[index].id,
        'deployflow.replica': String(index),
      });
    }

    // The read-only root filesystem and the writable /tmp, seen from inside.
    const exec = async (cmd: string[]) => {
      const run = await td.docker.getContainer(containers[0].Id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
      const stream = await run.start({});
      const output = await new Promise<string>((resolve) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      });
      return { output, exitCode: (await run.inspect()).ExitCode };
    };
    const write = (file: string) => `require('fs').writeFileSync(${JSON.stringify(file)}, 'x'); console.log('wrote')`;
    expect((await exec(['/usr/bin/node', '-e', write('/app/evil.js')])).exitCode).not.toBe(0);
    expect(await exec(['/usr/bin/node', '-e', write('/tmp/scratch')])).toMatchObject({ exitCode: 0 });

    const deleting = Date.now();
    await krane.client.delete('acme', 'dep_limits');
    const deleteMs = Date.now() - deleting;
    expect(await td.containers()).toEqual([]);
    expect(await krane.client.get('acme', 'dep_limits')).toEqual([]);
    console.log(`docker driver: cold create -> RUNNING for 2 replicas of ${TEST_IMAGES.helloV1}: ${coldCreateMs} ms; delete: ${deleteMs} ms`);
  });
});
