import { createHash } from 'node:crypto';

/**
 * Labels on every container the docker driver starts. They are the driver's only state: after a restart it finds
 * its containers, their deployment, port and health path by them (re-adoption), and `docker ps --filter
 * label=deployflow.deployment=<id>` shows an operator the same.
 */
export const LABEL = {
  /** The Krane that owns the container (KRANE_ID): a driver only ever lists, adopts or removes its own. */
  krane: 'deployflow.krane',
  workspace: 'deployflow.workspace',
  project: 'deployflow.project',
  deployment: 'deployflow.deployment',
  instance: 'deployflow.instance',
  replica: 'deployflow.replica',
  /** The port the app listens on inside the container (published on 127.0.0.1). */
  port: 'deployflow.port',
  healthCheckPath: 'deployflow.health-check-path',
} as const;

/** Engine API label filters (`label=key=value`) for the owner's containers, optionally of one deployment. */
export function labelFilters(owner: string, namespace?: string, deploymentId?: string): { label: string[] } {
  const label = [`${LABEL.krane}=${owner}`];
  if (namespace !== undefined) label.push(`${LABEL.workspace}=${namespace}`);
  if (deploymentId !== undefined) label.push(`${LABEL.deployment}=${deploymentId}`);
  return { label };
}

/**
 * The container name of replica `index`: deterministic, so two creates of the same deployment (a retry, another
 * Krane process on the same daemon) collide on the name instead of starting a second set. The hash keeps
 * `ns a-b / dep c` and `ns a / dep b-c` apart and separates owners sharing a daemon.
 */
export function containerName(owner: string, namespace: string, deploymentId: string, index: number): string {
  const hash = createHash('sha256').update(`${owner}\0${namespace}\0${deploymentId}`).digest('hex').slice(0, 10);
  return `deployflow-${deploymentId}-${index}-${hash}`;
}
