// Run by test/db/a-deploys-direct-statements-mean-the-same-on-pglite-and-postgres.test.ts in a process of its own (as
// engine-statements-run.ts, for the same reasons): a deploy's own statements through the database's direct path
// (`Database.sql`) — the request, the status moves, the instances, build-routes' read, the routing gate, latest wins,
// the live-state read — each answer set beside what Prisma reads back, printed as one JSON line. Argument: a PGlite
// data directory or a PostgreSQL URL.
import { openPglite, openPostgres } from '../../../src/db/database';
import { createDeploy } from '../../../src/operations/create-deploy';
import { DeployRequest } from '../../../src/operations/deploy-request';
import { readDeployLiveState } from '../../../src/deployments/deploy-live-state';
import { transitionDeployment, transitionDeploymentReturning } from '../../../src/deployments/deployment-status';
import { passRoutingGate } from '../../../src/deployments/routing-gate';
import { supersedeOlderDeploys } from '../../../src/deployments/supersede-older-deploys';
import { syncInstances } from '../../../src/deployments/sync-instances';
import { readDeployRoutesAndPin } from '../../../src/routing/plans/deploy-plan-input';
import { routeLookupHostnames } from '../../../src/routing/plans/plan-deploy-routes';
import { noStateEvents } from '../../../src/engine/state-events';
import type { DeployFacts } from '../../../src/deployments/deploy-facts';
import { seedProject } from '../../support/seed';

/** Dates as their instants, so the JSON line says whether a value was a Date (`{ date: ms }`) or something else. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return { date: value.getTime() };
  if (typeof value === 'bigint') return { bigint: String(value) };
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

async function main(): Promise<void> {
  const target = process.argv[2];
  const db = target.startsWith('postgres') ? openPostgres(target, 2) : await openPglite(target);
  try {
    if (!target.startsWith('postgres')) await db.migrate();
    const { workspace, project } = await seedProject(db.prisma, { workspace: 'acme', project: 'shop' });
    const startedAfter = Date.now();
    const writer = { prisma: db.prisma, sql: db.sql, events: noStateEvents };
    const facts: DeployFacts[] = [];
    const deps = {
      prisma: db.prisma,
      sql: db.sql,
      enqueue: async (_id: string, known?: { data?: { facts?: DeployFacts } }) => {
        if (known?.data?.facts) facts.push(known.data.facts);
      },
    };
    const caller = { workspaceId: workspace.id, requestedBy: 'test', requestId: 'req-1' };
    const request = (branch: string | undefined) =>
      DeployRequest.parse({ projectId: 'shop', image: 'file:x', git: { branch, commitSha: 'ABCDEF1' }, runtime: { replicas: 2, env: { A: 'b' } } });
    // Two deploys of one branch and one without a branch; the first again under its idempotency key, and a project
    // that does not exist.
    const older = await createDeploy(deps, caller, request('main'), 'key-1');
    const again = await createDeploy(deps, caller, request('main'), 'key-1');
    const unbranched = await createDeploy(deps, caller, request(undefined));
    const newer = await createDeploy(deps, caller, request('main'));
    const missing = await createDeploy(deps, caller, { ...request('main'), projectId: 'nope' }).then(
      () => 'created',
      (err: Error) => err.constructor.name,
    );

    // The status moves: one that moves, one that does not (wrong status), one that returns the row.
    const moved = await transitionDeployment(writer, newer.deploymentId, ['pending'], 'building');
    const notMoved = await transitionDeployment(writer, newer.deploymentId, ['pending'], 'building');
    const returned = await transitionDeploymentReturning(writer, newer.deploymentId, ['building'], 'deploying');
    const prismaRow = await db.prisma.deployment.findUniqueOrThrow({ where: { id: newer.deploymentId } });
    const withReason = await transitionDeployment(writer, newer.deploymentId, ['deploying'], 'network', { statusReason: 'why', failedStep: null });

    await syncInstances(db, newer.deploymentId, [
      { id: 'i-1', address: '127.0.0.1:1', status: 'running' },
      { id: 'i-2', address: '127.0.0.1:2', status: 'pending' },
    ] as never);
    await syncInstances(db, newer.deploymentId, [{ id: 'i-1', address: '127.0.0.1:3', status: 'terminating' }] as never);
    const instances = await db.prisma.instance.findMany({ where: { deploymentId: newer.deploymentId }, orderBy: { id: 'asc' } });

    // build-routes' read: a route under one of the newer deploy's hostnames (held by the older one) and a custom route.
    const f = facts[facts.length - 1];
    const [hostname] = routeLookupHostnames({ hostnames: { apex: 'example.test', ...f, deploymentId: newer.deploymentId }, projectId: f.projectId, environmentId: f.environmentId });
    const route = { projectId: project.id, environmentId: f.environmentId, deploymentId: older.deploymentId };
    await db.prisma.ingressRoute.create({ data: { id: 'rt_1', hostname, ...route, sticky: 'live' } });
    await db.prisma.ingressRoute.create({ data: { id: 'rt_2', hostname: 'www.custom.test', ...route, sticky: 'custom', branch: 'main' } });
    const routes = await readDeployRoutesAndPin(db, f, newer.deploymentId, 'example.test');

    // Latest wins before the older one's gate: the older deploy of `main` is superseded (the unbranched one is not),
    // and its gate then refuses; the newer one passes, twice.
    const superseded = await supersedeOlderDeploys(db, newer.deploymentId, facts[facts.length - 1]);
    const supersededAgain = await supersedeOlderDeploys(db, newer.deploymentId, facts[facts.length - 1]);
    const olderGate = await passRoutingGate(db, older.deploymentId).then(
      () => 'passed',
      (err: Error) => err.constructor.name,
    );
    await passRoutingGate(db, newer.deploymentId);
    await passRoutingGate(db, newer.deploymentId);
    const deployments = await db.prisma.deployment.findMany({ where: { projectId: project.id }, orderBy: { id: 'asc' } });

    const live = await readDeployLiveState(db, { projectId: project.id, canaryOf: newer.deploymentId, deploymentId: newer.deploymentId, watchKey: 'none' });
    const noProject = await readDeployLiveState(db, { projectId: 'prj_gone', canaryOf: newer.deploymentId });
    const finishedBefore = Date.now();
    console.log(
      JSON.stringify(
        plain({
          startedAfter,
          finishedBefore,
          ids: { older: older.deploymentId, newer: newer.deploymentId, unbranched: unbranched.deploymentId },
          again: { same: again.deploymentId === older.deploymentId && again.operationId === older.operationId, existing: again.existing },
          missing,
          facts,
          moved,
          notMoved,
          withReason,
          returned,
          prismaRow,
          instances: instances.map(({ id, address, status, lastSeenAt }) => ({ id, address, status, lastSeenAt })),
          hostname,
          routes,
          superseded,
          supersededAgain,
          olderGate,
          deployments: deployments.map((d) => ({
            id: d.id,
            status: d.status,
            statusReason: d.statusReason,
            failedStep: d.failedStep,
            gitBranch: d.gitBranch,
            gitCommitSha: d.gitCommitSha,
            supersededById: d.supersededById,
            cancelRequestedAt: d.cancelRequestedAt,
            routingStartedAt: d.routingStartedAt,
            createdAt: d.createdAt,
            updatedAt: d.updatedAt,
          })),
          live,
          noProject,
        }),
      ),
    );
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
