import type { Db } from '../../db/prisma';
import { run, sqlOf, type SqlHolder } from '../../db/sql';
import { Prisma } from '../../generated/prisma/client';
import { planDeployRoutes, routeLookupHostnames, type PlanDeployRoutesInput } from './plan-deploy-routes';
import type { ExistingRoute, RoutePlan } from './route-types';
import type { RoutingTx } from '../changes/route-change-types';

type Reader = Db | RoutingTx;

/**
 * What the planner needs to know of a deployment, its project, environment and workspace that cannot change while a
 * deploy runs (slugs, the production flag, the git fields: never updated). A deploy's steps hold them already (its
 * facts, src/deployments/deploy-facts.ts, which has these fields and more); anyone else reads them (`'read'`).
 */
export interface DeployPlanFacts {
  workspaceSlug: string;
  projectId: string;
  projectSlug: string;
  environmentId: string;
  environmentSlug: string;
  isProduction: boolean;
  branch: string | null;
  commitSha: string | null;
}

/**
 * Where the plan's fixed facts come from: handed by the caller with the project's pin (a value, or a read under way that
 * is awaited with the route reads), or `'read'` from the current state, pin included (one statement more).
 */
export type DeployPlanSource = { facts: DeployPlanFacts; pinned: boolean | Promise<boolean>; routes?: DeployRoutes } | 'read';

/** The routes a deploy's plan is made from: those under its hostnames (and their alternatives), and its environment's custom routes. */
export interface DeployRoutes {
  existing: ExistingRoute[];
  custom: ExistingRoute[];
}

function hostnameInput(facts: DeployPlanFacts, deploymentId: string, apex: string) {
  return {
    apex,
    workspaceSlug: facts.workspaceSlug,
    projectSlug: facts.projectSlug,
    environmentSlug: facts.environmentSlug,
    isProduction: facts.isProduction,
    deploymentId,
    branch: facts.branch,
    commitSha: facts.commitSha,
  };
}

const routeJson = (r: string) =>
  Prisma.raw(`json_build_object('hostname', ${r}."hostname", 'projectId', ${r}."projectId", 'environmentId', ${r}."environmentId", 'deploymentId', ${r}."deploymentId", 'sticky', ${r}."sticky"::text, 'branch', ${r}."branch")`);

/**
 * The routes a deploy's plan reads (DeployRoutes), as one SQL expression (a JSON object): what a route change sends
 * with its replay check under the project's lock (RouteChangeRequest.readUnderLock), and what build-routes reads with
 * the pin in one statement. The hostnames come from the fixed facts, so the expression can be built before the read.
 */
export function deployRoutesSql(facts: DeployPlanFacts, deploymentId: string, apex: string): Prisma.Sql {
  const lookup = routeLookupHostnames({ hostnames: hostnameInput(facts, deploymentId, apex), projectId: facts.projectId, environmentId: facts.environmentId });
  return Prisma.sql`json_build_object(
    'existing', (SELECT json_agg(${routeJson('r')} ORDER BY r."hostname") FROM "IngressRoute" r WHERE r."hostname" IN (${Prisma.join(lookup)})),
    'custom', (SELECT json_agg(${routeJson('c')} ORDER BY c."hostname") FROM "IngressRoute" c WHERE c."environmentId" = ${facts.environmentId} AND c."sticky" = 'custom'))`;
}

/** What deployRoutesSql read (a JSON object, or its text where the driver hands json as text). */
export function parseDeployRoutes(value: unknown): DeployRoutes {
  const read = (typeof value === 'string' ? JSON.parse(value) : value) as { existing: RouteRow[] | null; custom: RouteRow[] | null };
  return { existing: (read.existing ?? []).map(toExisting), custom: (read.custom ?? []).map(toExisting) };
}

/**
 * The routes of a deploy's plan and its project's pin as they are now, in one statement (build-routes: the plan the
 * timeline shows before the routing turn; Prisma sent one statement per table, three). On the database's direct path
 * when it has one (src/db/sql.ts).
 */
export async function readDeployRoutesAndPin(db: SqlHolder, facts: DeployPlanFacts, deploymentId: string, apex: string): Promise<{ routes: DeployRoutes; pinned: boolean }> {
  const [row] = await run<{ pinned: boolean | null; routes: unknown }>(
    sqlOf(db),
    Prisma.sql`SELECT (SELECT "isRolledBack" FROM "Project" WHERE "id" = ${facts.projectId}) AS "pinned", ${deployRoutesSql(facts, deploymentId, apex)} AS "routes"`,
  );
  if (row.pinned === null) throw new Error(`project ${facts.projectId} not found`);
  return { routes: parseDeployRoutes(row.routes), pinned: row.pinned };
}

type RouteRow = { hostname: string; projectId: string; environmentId: string; deploymentId: string; sticky: ExistingRoute['sticky']; branch: string | null };

function toExisting(r: RouteRow): ExistingRoute {
  return { hostname: r.hostname, projectId: r.projectId, environmentId: r.environmentId, deploymentId: r.deploymentId, sticky: r.sticky, branch: r.branch };
}

/** The deployment's fixed facts and its project's pin, as they are now. */
async function readPlanFacts(db: Reader, deploymentId: string): Promise<{ facts: DeployPlanFacts; pinned: boolean }> {
  const d = await db.deployment.findUniqueOrThrow({
    where: { id: deploymentId },
    include: { project: { include: { workspace: true } }, environment: true },
  });
  const facts: DeployPlanFacts = {
    workspaceSlug: d.project.workspace.slug,
    projectId: d.projectId,
    projectSlug: d.project.slug,
    environmentId: d.environmentId,
    environmentSlug: d.environment.slug,
    isProduction: d.environment.isProduction,
    branch: d.gitBranch,
    commitSha: d.gitCommitSha,
  };
  return { facts, pinned: d.project.isRolledBack };
}

/**
 * What planDeployRoutes needs about a deployment (a client or a transaction): the fixed facts from `source`, and what
 * can change: the routes under its hostnames and the environment's custom routes, as `source.routes` holds them when
 * the caller read them already, else read now (two statements at once).
 */
export async function deployPlanInput(db: Reader, deploymentId: string, apex: string, source: DeployPlanSource): Promise<PlanDeployRoutesInput> {
  const { facts, pinned } = source === 'read' ? await readPlanFacts(db, deploymentId) : source;
  const hostnames = hostnameInput(facts, deploymentId, apex);
  const lookup = routeLookupHostnames({ hostnames, projectId: facts.projectId, environmentId: facts.environmentId });
  // Routes the caller read already (under the lock, with its replay check) are used as they are.
  const read = source !== 'read' && source.routes;
  const [existing, custom, isPinned] = await Promise.all([
    read ? read.existing : db.ingressRoute.findMany({ where: { hostname: { in: lookup } } }).then((rows) => rows.map(toExisting)),
    read ? read.custom : db.ingressRoute.findMany({ where: { environmentId: facts.environmentId, sticky: 'custom' } }).then((rows) => rows.map(toExisting)),
    pinned,
  ]);
  return {
    hostnames,
    projectId: facts.projectId,
    environmentId: facts.environmentId,
    pinned: isPinned,
    existing,
    customRoutes: custom,
  };
}

/** The deployment's route plan (SPEC §4.1, §4.2) from the facts `source` gives and the routes as they are now. */
export async function planDeployment(db: Reader, deploymentId: string, apex: string, source: DeployPlanSource = 'read'): Promise<RoutePlan> {
  return planDeployRoutes(await deployPlanInput(db, deploymentId, apex, source));
}
