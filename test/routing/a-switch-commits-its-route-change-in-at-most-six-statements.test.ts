import { Client } from 'pg';
import { InstantDriver } from '../../src/krane/drivers/instant-driver';
import { requestSwitch } from '../../src/operations/request-switch';
import { POLICY_DEFAULTS, savePolicy } from '../../src/releases/release-policy';
import type { StoredRouteChange } from '../../src/routing/changes/route-change-types';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';
import { seedProject } from '../support/seed';

interface Statement {
  connection: number;
  text: string;
}

/**
 * The route change transaction holds the project's row lock and one connection for every statement it sends, one
 * round trip each: it is the largest single part of a switch's time to traffic. A rollback's transaction is BEGIN, the
 * fence update (which locks and returns the project row), the replay check with the last sequence and the target
 * (joined to its environment) with the production routes, one update for all the moved routes (two here: live and
 * environment hostnames), one statement that reads the live routes, sets the live pointer and the pin and inserts the
 * RouteChange row, and COMMIT: six. A promote's is the same six (the environment's health watch policy is read with the
 * target). It was seventeen (the project read three times, the workspace and the operation
 * inside the transaction, the sequence apart from the replay check), then twelve (the target and its environment read
 * apart), then eleven (the target and the routes each read apart, one update per moved route, the live routes, the
 * project update and the RouteChange row each a statement of its own).
 */
describe('a switch', () => {
  let h: EngineHarness<InstantDriver>;
  const statements: Statement[] = [];
  const query = Client.prototype.query;
  const connections = new WeakMap<object, number>();
  beforeAll(async () => {
    h = await startEngineHarness({ kraneDriver: new InstantDriver() });
    let next = 0;
    // Every statement any pooled connection sends, BEGIN and COMMIT included, with the connection it went on.
    Client.prototype.query = function (this: Client, ...args: unknown[]) {
      if (!connections.has(this)) connections.set(this, ++next);
      const first = args[0] as string | { text?: string };
      statements.push({ connection: connections.get(this)!, text: typeof first === 'string' ? first : (first?.text ?? '') });
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof Client.prototype.query;
  });
  afterAll(async () => {
    Client.prototype.query = query;
    await h.close();
  });

  /** The statements of the transaction whose fence update locked the project, BEGIN to COMMIT. */
  function routeChangeTransaction(from: number): string[] {
    const seen = statements.slice(from);
    const fence = seen.find((s) => s.text.includes('"routingFence" ='));
    if (!fence) throw new Error('no route change transaction was seen');
    const own = seen.filter((s) => s.connection === fence.connection).map((s) => s.text.replace(/\s+/g, ' ').trim());
    const at = seen.filter((s) => s.connection === fence.connection).indexOf(fence);
    const begin = own.lastIndexOf('BEGIN', at);
    const commit = own.indexOf('COMMIT', at);
    return own.slice(begin, commit + 1);
  }

  it('commits its route change in at most six statements, a rollback and a promote, and keeps the pin it replaced', async () => {
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'acme', project: 'shop' });
    const caller = { workspaceId: workspace.id, requestedBy: 'test' };
    const deploy = async (version: string) => {
      const r = await h.deploy({ projectId: project.id, image: HELLO_API, runtime: { env: { VERSION: version } } }, workspace.id);
      expect((await h.waitForOperation(r.operationId)).state).toBe('succeeded');
      return r.deploymentId;
    };
    const v1 = await deploy('v1');
    const v2 = await deploy('v2');
    const deps = { prisma: h.db.prisma, enqueue: h.engine.enqueue };

    const before = statements.length;
    const rollback = await requestSwitch(deps, caller, { kind: 'rollback', projectId: project.id, targetDeploymentId: v1, reason: 'bad v2' });
    expect((await h.waitForOperation(rollback.operationId)).state).toBe('succeeded');
    const tx = routeChangeTransaction(before);
    console.log(`rollback's route change transaction: ${tx.length} statements\n${tx.map((t) => `  ${t.slice(0, 110)}`).join('\n')}`);
    expect(tx[0]).toBe('BEGIN');
    expect(tx[tx.length - 1]).toBe('COMMIT');
    expect(tx.length).toBeLessThanOrEqual(6);
    const pinned = await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } });
    expect(pinned).toMatchObject({ liveDeploymentId: v1, isRolledBack: true, rolledBackBy: 'test', rollbackReason: 'bad v2', rolledBackFromDeploymentId: v2 });

    // The promote's change records the pin it cleared as it was (an undo restores it from there), dates included.
    const beforePromote = statements.length;
    const promote = await requestSwitch(deps, caller, { kind: 'promote', projectId: project.id, targetDeploymentId: v2 });
    expect((await h.waitForOperation(promote.operationId)).state).toBe('succeeded');
    // A promote also looks for the environment's health watch policy: read with the target, no statement of its own.
    expect(routeChangeTransaction(beforePromote).length).toBeLessThanOrEqual(6);
    const change = await h.db.prisma.routeChange.findUniqueOrThrow({ where: { operationId: promote.operationId } });
    expect((change.changes as unknown as StoredRouteChange).pinBefore).toEqual({
      isRolledBack: true,
      rolledBackAt: pinned.rolledBackAt!.toISOString(),
      rolledBackBy: 'test',
      rollbackReason: 'bad v2',
      rolledBackFromDeploymentId: v2,
    });
    const rollbackChange = await h.db.prisma.routeChange.findUniqueOrThrow({ where: { operationId: rollback.operationId } });
    expect(change.sequence).toBe(rollbackChange.sequence + 1);

    // Under a policy that watches plain switches, a promote records its health watch with the switch: the policy read
    // with the target, only the watch's row added (seven).
    const production = await h.db.prisma.environment.findFirstOrThrow({ where: { projectId: project.id, isProduction: true } });
    await savePolicy(h.db.prisma, project.id, production.id, { ...POLICY_DEFAULTS, stages: [{ weight: 100 }], healthWatchSeconds: 60 });
    const again = await requestSwitch(deps, caller, { kind: 'rollback', projectId: project.id, targetDeploymentId: v1, reason: 'again' });
    expect((await h.waitForOperation(again.operationId)).state).toBe('succeeded');
    const beforeWatched = statements.length;
    const watched = await requestSwitch(deps, caller, { kind: 'promote', projectId: project.id, targetDeploymentId: v2 });
    expect((await h.waitForOperation(watched.operationId)).state).toBe('succeeded');
    expect(routeChangeTransaction(beforeWatched).length).toBeLessThanOrEqual(7);
    const watch = await h.db.prisma.operation.findUniqueOrThrow({ where: { idempotencyKey: `health-watch:${watched.operationId}` } });
    expect(watch).toMatchObject({ kind: 'health_watch', deploymentId: v2, sourceDeploymentId: v1, healthWatchSeconds: 60 });
  });
});
