import path from 'node:path';
import { InvalidSpecError } from '../../src/krane/driver';
import { resolveFileImage } from '../../src/krane/drivers/file-image';
import { EmbeddedKrane, startEmbeddedKrane } from '../../src/krane/embedded';
import { eventually, FAST_DRIVER, helloSpec, httpGet, isProcessAlive, REPO_ROOT } from './krane-test-kit';

const fixture = (name: string) => path.join(REPO_ROOT, 'test/krane/fixtures', name);

describe('resolving a file: image to the command that runs it', () => {
  it('runs a `node <file>` start script with this node directly, so the process held is the app', () => {
    expect(resolveFileImage('file:examples/hello-api', REPO_ROOT)).toEqual({
      command: process.execPath,
      args: [path.join(REPO_ROOT, 'examples/hello-api/index.js')],
      cwd: path.join(REPO_ROOT, 'examples/hello-api'),
    });
  });

  it('runs any other start script through sh with the app’s node_modules/.bin on PATH', () => {
    expect(resolveFileImage('file:test/krane/fixtures/shell-start', REPO_ROOT)).toEqual({
      command: '/bin/sh',
      args: ['-c', 'STARTED_BY=shell node ../env-echo/index.js'],
      cwd: fixture('shell-start'),
      extraPath: path.join(fixture('shell-start'), 'node_modules/.bin'),
    });
  });

  it('falls back to package.json main, then index.js', () => {
    expect(resolveFileImage('file:test/krane/fixtures/main-entry', REPO_ROOT).args).toEqual([fixture('main-entry/server.js')]);
    // An absolute path ignores rootDir; it must still lie inside the images directory.
    expect(resolveFileImage(`file:${fixture('env-echo')}`, '/nowhere', REPO_ROOT).args).toEqual([fixture('env-echo/index.js')]);
  });

  it('rejects a directory without an entry, a missing directory and another scheme, naming what is wrong', () => {
    expect(() => resolveFileImage('file:test/krane/fixtures/no-entry', REPO_ROOT)).toThrow(
      new InvalidSpecError('image "file:test/krane/fixtures/no-entry" has neither a package.json start script nor an index.js'),
    );
    expect(() => resolveFileImage('file:does/not/exist', REPO_ROOT)).toThrow(new InvalidSpecError('image "file:does/not/exist" not found or not a directory in the images directory'));
    expect(() => resolveFileImage('docker.io/library/nginx:latest', REPO_ROOT)).toThrow(/not supported by the process driver/);
  });
});

describe('an app started by a shell start script', () => {
  let krane: EmbeddedKrane;

  beforeAll(async () => {
    krane = await startEmbeddedKrane(FAST_DRIVER);
  });

  afterAll(async () => {
    await krane.stop();
  });

  it('becomes running, and delete stops the app as well as the shell', async () => {
    await krane.client.create(helloSpec('dep_shell', { image: 'file:test/krane/fixtures/shell-start' }));
    const [instance] = await eventually('instance running', async () => {
      const instances = await krane.client.get('acme', 'dep_shell');
      return instances[0]?.status === 'running' ? instances : undefined;
    });
    const app = JSON.parse((await httpGet(instance.address, '/env')).body) as { env: Record<string, string>; pid: number };
    expect(app.env.STARTED_BY).toBe('shell');
    const held = Object.values(await krane.driver.pids('acme', 'dep_shell'));

    await krane.client.delete('acme', 'dep_shell');

    for (const pid of [...held, app.pid]) expect(isProcessAlive(pid)).toBe(false);
  });
});
