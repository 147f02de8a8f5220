import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { DeployflowError } from '../../src/errors';
import { cancelDeployment } from '../../src/operations/cancel-deployment';
import { createDeploy } from '../../src/operations/create-deploy';
import { DeployRequest } from '../../src/operations/deploy-request';
import { requestSwitch, requestUndo } from '../../src/operations/request-switch';
import type { RoutingBed, SeededProject } from './routing-bed';
import { routingViolations } from './routing-invariants';

/**
 * One step of a random sequence. `project` and `target` are indexes taken modulo what exists, so every generated (and
 * shrunk) value is meaningful: `target` picks among the project's production deployments in creation order, ready or
 * not (a target that is not ready is refused, which is part of what is tested).
 */
export type Op =
  | { kind: 'deploy'; project: number; preview?: boolean; failing?: boolean; branch?: number; commit?: number }
  | { kind: 'deploy-cancel'; project: number; cancelAfterMs: number }
  | { kind: 'rollback' | 'promote'; project: number; target: number }
  | { kind: 'undo'; project: number }
  /** A production deploy and, while it runs, a rollback, promote or undo of the same project. */
  | { kind: 'race'; project: number; other: 'rollback' | 'promote' | 'undo'; target: number; afterMs: number };

export interface Sequence {
  projects: number;
  ops: Op[];
}

const project = fc.nat({ max: 2 });
const target = fc.nat({ max: 7 });
// Cross-shrinking lets a failing race or cancel shrink into the plain operations listed before it.
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { withCrossShrink: true },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('deploy' as const), project, branch: fc.nat({ max: 1 }), commit: fc.nat({ max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deploy' as const), project, preview: fc.constant(true) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deploy' as const), project, failing: fc.constant(true) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deploy-cancel' as const), project, cancelAfterMs: fc.constantFrom(0, 40, 100, 200, 350) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constantFrom('rollback' as const, 'promote' as const), project, target }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('undo' as const), project }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('race' as const), project, other: fc.constantFrom('rollback' as const, 'promote' as const, 'undo' as const), target, afterMs: fc.constantFrom(0, 20, 60) }),
  },
);

export const sequenceArbitrary: fc.Arbitrary<Sequence> = fc.record({
  // One project half of the time: its operations then follow each other closely, which is where undo meets switches.
  projects: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 3 })),
  ops: fc.array(opArbitrary, { minLength: 2, maxLength: 8, size: 'max' }),
});

export interface SequenceStats {
  sequences: number;
  operations: number;
  /** `<kind>:<outcome>` → count: succeeded, failed:<code>, cancelled, refused:<code>. */
  outcomes: Record<string, number>;
  /** Milliseconds spent running operations and checking invariants, summed over lanes. */
  operationMs: number;
  checkMs: number;
  /** Per operation kind: how many ran and their total milliseconds. */
  byKind: Record<string, { count: number; ms: number }>;
}

export function newStats(): SequenceStats {
  return { sequences: 0, operations: 0, outcomes: {}, operationMs: 0, checkMs: 0, byKind: {} };
}

/**
 * Projects whose hostnames collide on purpose: `a-b` of workspace `c…` and `a` of workspace `b-c…` want the same live
 * hostname; the live hostname of `a-b-production` is the environment hostname of `a-b`. The suffix keeps sequences apart.
 */
async function seedProjects(bed: RoutingBed, count: number): Promise<SeededProject[]> {
  const suffix = randomBytes(4).toString('hex');
  const c = await bed.seedWorkspace(`c${suffix}`);
  const projects = [await bed.seedProject(c, 'a-b')];
  if (count >= 2) projects.push(await bed.seedProject(await bed.seedWorkspace(`b-c${suffix}`), 'a'));
  if (count >= 3) projects.push(await bed.seedProject(c, 'a-b-production'));
  return projects;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const COMMITS = ['aaaaaaa111', 'bbbbbbb222', 'ccccccc333'];

/** Runs the sequence against the engine, checking every invariant after each operation; throws on the first violation. */
export async function runSequence(bed: RoutingBed, sequence: Sequence, stats: SequenceStats): Promise<void> {
  const projects = await seedProjects(bed, sequence.projects);
  const log: string[] = [];
  const count = (kind: string, outcome: string) => {
    const key = `${kind}:${outcome}`;
    stats.outcomes[key] = (stats.outcomes[key] ?? 0) + 1;
    log.push(key);
  };
  const caller = (p: SeededProject) => ({ workspaceId: p.workspace.id, requestedBy: 'property-test' });
  const deps = { prisma: bed.db.prisma, enqueue: bed.engine.enqueue };

  // Request-time refusals (404/409/422) are outcomes, not failures: the state said no.
  const request = async (kind: string, issue: () => Promise<{ operationId: string }>): Promise<string | undefined> => {
    try {
      return (await issue()).operationId;
    } catch (err) {
      if (!(err instanceof DeployflowError) || err.retryable) throw err;
      count(kind, `refused:${err.code}`);
      return undefined;
    }
  };
  const finish = async (kind: string, operationId: string | undefined) => {
    if (!operationId) return;
    const op = await bed.waitForOperation(operationId);
    count(kind, op.state === 'succeeded' ? 'succeeded' : op.state === 'failed' ? `failed:${op.errorCode}` : op.state);
  };
  const deploy = (p: SeededProject, options: { preview?: boolean; failing?: boolean; branch?: number; commit?: number } = {}) =>
    createDeploy(
      deps,
      caller(p),
      DeployRequest.parse({
        projectId: p.id,
        environment: options.preview ? 'preview' : 'production',
        image: 'file:examples/hello-api',
        git: { branch: options.branch === 1 ? 'feature' : 'main', ...(options.commit === undefined ? {} : { commitSha: COMMITS[options.commit] }) },
        runtime: { env: options.failing ? { FAIL_HEALTH: '1' } : {} },
      }),
    );
  // Mostly a ready production deployment (index among them, the live one included: "already live" is an outcome too);
  // index 7 picks among all of them, so targets that are not ready (failed, cancelled) are asked for as well.
  const switchTarget = async (p: SeededProject, index: number) => {
    const candidates = await bed.db.prisma.deployment.findMany({
      where: { projectId: p.id, environmentId: p.productionId, ...(index === 7 ? {} : { status: 'ready' as const }) },
      orderBy: { id: 'asc' },
      select: { id: true },
    });
    return candidates.length ? candidates[index % candidates.length].id : undefined;
  };
  const switchOrUndo = async (kind: 'rollback' | 'promote' | 'undo', p: SeededProject, index: number) => {
    if (kind === 'undo') return request(kind, () => requestUndo(deps, caller(p), p.id));
    const targetId = await switchTarget(p, index);
    if (!targetId) {
      count(kind, 'skipped:no-deployment');
      return undefined;
    }
    return request(kind, () => requestSwitch(deps, caller(p), { kind, projectId: p.id, targetDeploymentId: targetId }));
  };

  for (const [n, op] of sequence.ops.entries()) {
    const p = projects[op.project % projects.length];
    const opStarted = Date.now();
    switch (op.kind) {
      case 'deploy':
        await finish(op.preview ? 'deploy-preview' : op.failing ? 'deploy-failing' : 'deploy', (await deploy(p, op)).operationId);
        break;
      case 'deploy-cancel': {
        const started = await deploy(p);
        if (op.cancelAfterMs) await sleep(op.cancelAfterMs);
        try {
          await cancelDeployment(bed.db.prisma, caller(p), started.deploymentId);
          count('cancel', 'accepted');
        } catch (err) {
          if (!(err instanceof DeployflowError)) throw err;
          count('cancel', `refused:${err.code}`);
        }
        await finish('deploy-cancel', started.operationId);
        break;
      }
      case 'rollback':
      case 'promote':
      case 'undo':
        await finish(op.kind, await switchOrUndo(op.kind, p, op.kind === 'undo' ? 0 : op.target));
        break;
      case 'race': {
        const started = await deploy(p);
        if (op.afterMs) await sleep(op.afterMs);
        const other = await switchOrUndo(op.other, p, op.target);
        await Promise.all([finish('race-deploy', started.operationId), finish(`race-${op.other}`, other)]);
        break;
      }
    }
    stats.operations += 1;
    const checkStarted = Date.now();
    stats.operationMs += checkStarted - opStarted;
    const kind = (stats.byKind[op.kind] ??= { count: 0, ms: 0 });
    kind.count += 1;
    kind.ms += checkStarted - opStarted;
    const violations = await routingViolations(bed, projects);
    stats.checkMs += Date.now() - checkStarted;
    if (violations.length) {
      const failing = { projects: sequence.projects, ops: sequence.ops.slice(0, n + 1) };
      throw new Error(`after operation ${n + 1} of ${JSON.stringify(failing)}:\n  ${violations.join('\n  ')}\noutcomes: ${log.join(', ')}`);
    }
  }
  stats.sequences += 1;
  // Done with these projects: stop their instances so a long run does not pile up servers.
  await Promise.all([...new Set(projects.map((p) => p.workspace.slug))].map((slug) => bed.krane.driver.deleteNamespace(slug)));
}
