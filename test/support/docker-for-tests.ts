import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { DockerDriver, DockerDriverOptions } from '../../src/krane/drivers/docker-driver';
import { LABEL } from '../../src/krane/drivers/docker-labels';
import { buildNodeAppImage } from '../../scripts/image/build-node-app-image';
import { NODE_PATH } from '../../scripts/image/node-app-rootfs';
import { DockerdInfo, dockerdUnavailableReason, guardDockerd, startDockerd } from './docker-daemon';
import { readTestServices } from './services-file';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Images the docker tests deploy, built locally (no registry is reachable) the way `npm run example:image` builds. */
export const TEST_IMAGES = {
  helloV1: 'deployflow-test/hello-api:1',
  helloV2: 'deployflow-test/hello-api:2',
  /** Prints two lines and exits with code 3 at once. */
  crasher: 'deployflow-test/crasher:1',
  /** Prints 3,000 numbered lines of 100 characters, then exits with code 4 (once its output is flushed): its failure must stay bounded. */
  noisyCrasher: 'deployflow-test/noisy-crasher:2',
  /** Answers /healthz, and GET /probe?host=&port= tries a TCP connection from inside the container. */
  tcpProbe: 'deployflow-test/tcp-probe:1',
} as const;

/** The network every docker test's driver uses (one per daemon, removed with it). */
export const TEST_NETWORK = 'deployflow-test-tenants';

/**
 * Whether this run can reach a Docker Engine: DOCKER_HOST is given (CI starts its own dockerd and sets it), or a
 * throwaway dockerd can be started (dockerd installed, running as root). Decided when a test file loads, so a file
 * skips as a whole with the reason printed; under CI=true a missing daemon fails the file instead.
 */
export function dockerSkipReason(): string | undefined {
  if (process.env.DOCKER_HOST) return undefined;
  const reason = dockerdUnavailableReason();
  if (reason && process.env.CI === 'true') throw new Error(`CI needs a Docker Engine for the docker tests: ${reason}; .ci/run starts one and sets DOCKER_HOST`);
  return reason;
}

/** `describe`, or `describe.skip` with the reason printed, for tests that need a Docker Engine. */
export function describeWithDocker(name: string, body: () => void): void {
  const reason = dockerSkipReason();
  if (reason) {
    console.log(`skipping "${name}": no Docker Engine: ${reason}`);
    describe.skip(name, body);
  } else {
    describe(name, body);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The run's shared throwaway dockerd: the first test file that needs it starts it (a directory created atomically
 * is the lock), records it next to the run's other services, and the global teardown stops it by PID. Other files
 * wait for the record.
 */
async function sharedDockerd(): Promise<DockerdInfo> {
  const services = readTestServices();
  const lock = path.join(services.root, 'dockerd.lock');
  const record = path.join(services.root, 'dockerd.json');
  const failure = path.join(services.root, 'dockerd.error');
  let holder = false;
  try {
    mkdirSync(lock);
    holder = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (holder) {
    try {
      const info = await startDockerd();
      writeFileSync(record, JSON.stringify(info));
      if (services.runnerPid) guardDockerd(services.runnerPid, info.pid);
      return info;
    } catch (err) {
      writeFileSync(failure, (err as Error).message);
      throw err;
    }
  }
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (existsSync(record)) return JSON.parse(readFileSync(record, 'utf8')) as DockerdInfo;
    if (existsSync(failure)) throw new Error(`the run's dockerd did not start: ${readFileSync(failure, 'utf8')}`);
    if (Date.now() > deadline) throw new Error('gave up waiting for another test file to start the run\'s dockerd');
    await sleep(200);
  }
}

export interface TestDocker {
  docker: Docker;
  /** What DOCKER_HOST takes, for child processes. */
  host: string;
  /** Owner id of this test file's containers: no other file lists, adopts or removes them. */
  kraneId: string;
  /** A docker driver for this file's Krane id, with fast health checks and a short grace. */
  startDriver(options?: Partial<DockerDriverOptions>): Promise<DockerDriver>;
  /** This file's containers, running or not. */
  containers(): Promise<Docker.ContainerInfo[]>;
  /** Removes every container of this file's Krane id. */
  cleanup(): Promise<void>;
}

/** Connects to DOCKER_HOST, or to the run's own dockerd (started on first use), and makes sure the test images exist. */
export async function connectTestDocker(): Promise<TestDocker> {
  let host = process.env.DOCKER_HOST;
  let docker: Docker;
  if (host) {
    docker = new Docker();
  } else {
    const info = await sharedDockerd();
    host = info.host;
    docker = new Docker({ socketPath: info.socketPath });
  }
  await docker.ping();
  await ensureTestImages(docker);
  const kraneId = `test-${randomBytes(4).toString('hex')}`;
  const containers = () => docker.listContainers({ all: true, filters: { label: [`${LABEL.krane}=${kraneId}`] } });
  return {
    docker,
    host,
    kraneId,
    startDriver: (options = {}) =>
      DockerDriver.start({
        kraneId,
        docker,
        daemon: host,
        network: TEST_NETWORK,
        healthIntervalMs: 50,
        runningHealthIntervalMs: 200,
        gracePeriodMs: 2_000,
        ...options,
      }),
    containers,
    async cleanup() {
      const left = await containers();
      await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
    },
  };
}

async function imageExists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

/** Builds whichever test image the daemon lacks (files sharing a daemon may both build one: the last tag wins, same content). */
async function ensureTestImages(docker: Docker): Promise<void> {
  const hello = path.join(REPO_ROOT, 'examples', 'hello-api');
  const builds: Record<string, Parameters<typeof buildNodeAppImage>[1]> = {
    [TEST_IMAGES.helloV1]: { appDir: hello, tag: TEST_IMAGES.helloV1, env: { VERSION: '1.0.0' } },
    [TEST_IMAGES.helloV2]: { appDir: hello, tag: TEST_IMAGES.helloV2, env: { VERSION: '2.0.0' } },
    [TEST_IMAGES.crasher]: {
      appDir: hello,
      tag: TEST_IMAGES.crasher,
      cmd: [NODE_PATH, '-e', "console.log('crasher: starting'); console.error('crasher: cannot read /etc/app/config.yml'); process.exit(3)"],
    },
    [TEST_IMAGES.noisyCrasher]: {
      appDir: hello,
      tag: TEST_IMAGES.noisyCrasher,
      cmd: [NODE_PATH, '-e', "for (let i = 1; i <= 3000; i++) console.log('line ' + String(i).padStart(4, '0') + ' ' + 'x'.repeat(90)); process.exitCode = 4"],
    },
    [TEST_IMAGES.tcpProbe]: { appDir: path.join(REPO_ROOT, 'test', 'krane', 'fixtures', 'tcp-probe'), tag: TEST_IMAGES.tcpProbe },
  };
  for (const [tag, build] of Object.entries(builds)) {
    if (!(await imageExists(docker, tag))) await buildNodeAppImage(docker, build);
  }
}
