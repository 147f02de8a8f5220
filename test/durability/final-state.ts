import { FINISHED_STATES, TERMINAL_STATUSES } from '../../src/statuses';
import type { DurabilityBed } from './durability-bed';

export interface FinalState {
  /** Every broken promise of SPEC §8 "Durability" found, one line each; empty when all hold. */
  violations: string[];
  operations: Record<string, number>;
  deployments: Record<string, number>;
  kraneCreateCalls: number;
  kraneCreations: number;
}

const tally = (values: string[]) => values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});

/**
 * Checks what must hold once the dust settled, whatever was killed on the way:
 * - every operation finished, every deployment in a terminal status;
 * - a ready deployment was created in Krane exactly once and every step of its timeline succeeded;
 * - a failed or cancelled deployment is compensated and Krane no longer runs it (unless routes serve it);
 * - no deployment was ever created twice; no route points at a deployment that is not ready;
 * - each project's live pointer is the last route change's and points at a ready deployment;
 * - each project has exactly one live route and it points at the live deployment, or no live route when nothing is live.
 */
export async function inspectFinalState(bed: DurabilityBed, projectIds: string[]): Promise<FinalState> {
  const { prisma } = bed.db;
  const violations: string[] = [];
  const operations = await prisma.operation.findMany({ where: { projectId: { in: projectIds } } });
  const deployments = await prisma.deployment.findMany({ where: { projectId: { in: projectIds } }, include: { project: { include: { workspace: true } } } });
  const routes = await prisma.ingressRoute.findMany({ where: { projectId: { in: projectIds } } });
  const routedIds = new Set(routes.map((r) => r.deploymentId));

  for (const op of operations) {
    if (!(FINISHED_STATES as string[]).includes(op.state)) violations.push(`operation ${op.id} (${op.kind}) is still ${op.state}`);
  }
  for (const d of deployments) {
    const creations = bed.krane.creations(d.id);
    if (creations > 1) violations.push(`deployment ${d.id} was created ${creations} times in Krane`);
    if (!TERMINAL_STATUSES.includes(d.status)) {
      violations.push(`deployment ${d.id} is still ${d.status}`);
      continue;
    }
    if (d.status === 'ready') {
      if (creations !== 1) violations.push(`ready deployment ${d.id} was created ${creations} times in Krane`);
      const steps = await prisma.deploymentStep.findMany({ where: { ownerId: d.id } });
      const unfinished = steps.filter((s) => s.status !== 'succeeded').map((s) => `${s.name}=${s.status}`);
      if (unfinished.length) violations.push(`ready deployment ${d.id} has steps not succeeded: ${unfinished.join(', ')}`);
    }
    if (d.status === 'failed' || d.status === 'cancelled') {
      if (!d.compensatedAt) violations.push(`${d.status} deployment ${d.id} was never compensated`);
      if (!routedIds.has(d.id) && (await bed.krane.knows(d.project.workspace.slug, d.id))) violations.push(`${d.status} deployment ${d.id} is still running in Krane (orphan)`);
    }
  }
  for (const r of routes) {
    const target = deployments.find((d) => d.id === r.deploymentId);
    if (target?.status !== 'ready') violations.push(`route ${r.hostname} points at ${r.deploymentId}, which is ${target?.status ?? 'unknown'}`);
  }
  for (const projectId of projectIds) {
    const project = await prisma.project.findUniqueOrThrow({ where: { id: projectId } });
    const last = await prisma.routeChange.findFirst({ where: { projectId }, orderBy: { sequence: 'desc' } });
    if ((last?.liveTo ?? null) !== project.liveDeploymentId) {
      violations.push(`project ${project.slug}: live pointer ${project.liveDeploymentId} but the last route change left ${last?.liveTo ?? null} live`);
    }
    const liveRoutes = routes.filter((r) => r.projectId === projectId && r.sticky === 'live');
    const describe = liveRoutes.map((r) => `${r.hostname} -> ${r.deploymentId}`).join(', ') || 'none';
    if (!project.liveDeploymentId) {
      if (liveRoutes.length) violations.push(`project ${project.slug}: nothing is live, but it has live routes: ${describe}`);
      continue;
    }
    const live = deployments.find((d) => d.id === project.liveDeploymentId);
    if (live?.status !== 'ready') violations.push(`project ${project.slug}: live deployment ${project.liveDeploymentId} is ${live?.status ?? 'unknown'}`);
    if (liveRoutes.length !== 1 || liveRoutes[0].deploymentId !== project.liveDeploymentId) {
      violations.push(`project ${project.slug}: live deployment ${project.liveDeploymentId} needs exactly one live route on it; live routes: ${describe}`);
    }
  }

  return {
    violations,
    operations: tally(operations.map((o) => `${o.kind}:${o.state}`)),
    deployments: tally(deployments.map((d) => d.status)),
    kraneCreateCalls: bed.krane.calls.create,
    kraneCreations: deployments.reduce((n, d) => n + bed.krane.creations(d.id), 0),
  };
}
