import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registryAuthFor } from '../../src/krane/drivers/docker-registry-auth';

describe('registry credentials from the Docker client config', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'deployflow-docker-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = { DOCKER_CONFIG: dir };
  writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hub:secret').toString('base64') },
        'registry.example.com': { username: 'robot', password: 'pw' },
        'https://token.example.com/v2/': { identitytoken: 'tok' },
      },
      credsStore: 'desktop',
    }),
  );

  it('finds Docker Hub under its legacy key, others by host, with or without scheme and path', () => {
    expect(registryAuthFor('docker.io', env)).toEqual({ serveraddress: 'https://index.docker.io/v1/', username: 'hubuser', password: 'hub:secret' });
    expect(registryAuthFor('registry.example.com', env)).toEqual({ serveraddress: 'registry.example.com', username: 'robot', password: 'pw' });
    expect(registryAuthFor('token.example.com', env)).toEqual({ serveraddress: 'token.example.com', identitytoken: 'tok' });
  });

  it('is anonymous for a registry it has nothing for, or without a config', () => {
    expect(registryAuthFor('ghcr.io', env)).toBeUndefined();
    expect(registryAuthFor('docker.io', { DOCKER_CONFIG: path.join(dir, 'missing') })).toBeUndefined();
  });
});
