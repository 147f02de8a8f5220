import { createHash } from 'node:crypto';
import path from 'node:path';
import { KraneDriver } from '../driver';
import { DockerDriver } from './docker-driver';
import { ProcessDriver } from './process-driver';

export const KRANE_DRIVERS = ['process', 'docker'] as const;
export type KraneDriverName = (typeof KRANE_DRIVERS)[number];

export interface DriverSelection {
  driver: KraneDriverName;
  /** process: relative `file:` images resolve against it. */
  rootDir: string;
  /** process: the only directory images may come from. */
  imagesDir?: string;
  /** docker: owner of the containers; default derived from dataDir. */
  kraneId?: string;
  /**
   * Where the installation keeps its data. docker: the default KRANE_ID is derived from it; process: the process
   * groups of running instances are recorded under it, so the next start stops those a killed run left running.
   */
  dataDir: string;
  /** docker: the tenant network. */
  dockerNetwork?: string;
}

export interface SelectedDriver {
  driver: KraneDriver;
  /** One line for the start-up log, e.g. `docker driver (unix:///var/run/docker.sock, 2 containers re-adopted)`. */
  description: string;
  /**
   * The driver's instances outlive it and were taken over at start (docker): Instance rows of the previous run still
   * name live instances. False for the process driver, whose instances ended with the previous process.
   */
  readopts: boolean;
}

/**
 * A stable owner id for an installation: the same data directory gives the same id after a restart (so its
 * containers are re-adopted), two installations on one Docker host get different ones (so neither removes the
 * other's containers as orphans).
 */
export function defaultKraneId(dataDir: string): string {
  return `deployflow-${createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12)}`;
}

export function parseKraneDriverName(value: string | undefined): KraneDriverName {
  const name = value?.trim() || 'process';
  if (!(KRANE_DRIVERS as readonly string[]).includes(name)) {
    throw new Error(`KRANE_DRIVER must be one of ${KRANE_DRIVERS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return name as KraneDriverName;
}

/** The driver named by KRANE_DRIVER, started: the docker driver connects to DOCKER_HOST and re-adopts its containers. */
export async function createKraneDriver(selection: DriverSelection): Promise<SelectedDriver> {
  if (selection.driver === 'docker') {
    const kraneId = selection.kraneId ?? defaultKraneId(selection.dataDir);
    const driver = await DockerDriver.start({ kraneId, network: selection.dockerNetwork });
    const adopted = driver.adoptedAtStart;
    return {
      driver,
      description: `docker driver (${driver.daemon}, network ${driver.network}, krane id ${kraneId}, ${adopted} running container${adopted === 1 ? '' : 's'} re-adopted)`,
      readopts: true,
    };
  }
  const driver = new ProcessDriver({ rootDir: selection.rootDir, imagesDir: selection.imagesDir, stateDir: path.join(selection.dataDir, 'krane-process-groups') });
  const stopped = driver.leftoversStopped;
  const description = stopped ? `process driver (${stopped} instance${stopped === 1 ? '' : 's'} an earlier run left running stopped)` : 'process driver';
  return { driver, description, readopts: false };
}
