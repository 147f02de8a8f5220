import type Docker from 'dockerode';
import { driverErrorOf, isDockerConflict, isDockerNotFound } from './docker-errors';
import { LABEL } from './docker-labels';

/** Thrown when the configured network exists but is not a bridge (e.g. `host`): tenants would share the host's network. */
export class UnsafeNetworkError extends Error {
  constructor(name: string, driver: string) {
    super(`docker network ${name} uses the ${driver} driver; the docker driver runs tenants on a bridge network only (never the host network)`);
    this.name = 'UnsafeNetworkError';
  }
}

/**
 * Makes sure the user-defined bridge network `name` exists, creating it when missing. Inter-container traffic is
 * off on it (`enable_icc=false`): tenants on the same host cannot reach each other's ports directly. Containers
 * on a bridge have their own loopback, so the control plane's services bound to the host's 127.0.0.1 (Redis,
 * PostgreSQL, Krane, the API) are out of their reach.
 */
export async function ensureBridgeNetwork(docker: Docker, name: string, owner: string, daemon: string): Promise<void> {
  const network = docker.getNetwork(name);
  let info: { Driver?: string };
  try {
    info = await network.inspect();
  } catch (err) {
    if (!isDockerNotFound(err)) throw driverErrorOf(err, `inspecting network ${name}`, daemon);
    try {
      await docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Options: { 'com.docker.network.bridge.enable_icc': 'false' },
        Labels: { [LABEL.krane]: owner },
      });
    } catch (createErr) {
      // Another Krane on the same daemon created it meanwhile: fine.
      if (!isDockerConflict(createErr)) throw driverErrorOf(createErr, `creating network ${name}`, daemon);
    }
    info = await network.inspect();
  }
  if (info.Driver !== 'bridge') throw new UnsafeNetworkError(name, info.Driver ?? 'unknown');
}
