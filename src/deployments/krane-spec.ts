import type { Deployment } from '../generated/prisma/client';
import type { KraneDeploymentSpec } from '../krane/types';

/** What Krane is asked to run for a deployment (create-in-krane, and the reconciler re-creating a lost one). */
export function kraneSpecOf(deployment: Deployment, namespace: string): KraneDeploymentSpec {
  return {
    namespace,
    deploymentId: deployment.id,
    image: deployment.image,
    replicas: deployment.replicas,
    cpuMillicores: deployment.cpuMillicores,
    memoryMib: deployment.memoryMib,
    port: deployment.port,
    env: (deployment.envVars ?? {}) as Record<string, string>,
    healthCheckPath: deployment.healthCheckPath,
    projectId: deployment.projectId,
  };
}
