import type { Deployment } from '../../src/generated/prisma/client';
import { eventually } from '../support/http-get';
import { seedProject } from '../support/seed';
import { EngineHarness, HELLO_API, startEngineHarness } from '../support/engine-harness';

/**
 * Latest wins (issue 15 item 5). Timing is made deterministic where an assertion needs it: a deploy meant to be caught
 * before routing answers its health check only after SLOW_MS (it is still polling when the newer one reaches
 * assign-routes), a deploy meant to get there first is healthy at once.
 */
const SLOW_MS = '8000';
const slow = { env: { HEALTHY_AFTER_MS: SLOW_MS } };

describe('latest wins: a production deploy that reaches routing supersedes older deploys of its branch', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    h = await startEngineHarness();
  });
  afterAll(async () => h.close());

  const row = (id: string) => h.db.prisma.deployment.findUniqueOrThrow({ where: { id } });
  const operation = (id: string) => h.db.prisma.operation.findUniqueOrThrow({ where: { id } });

  /** A superseded deploy: stopped, named by a newer one, its steps not run, its operation superseded, nothing left in Krane. */
  async function expectSuperseded(workspace: string, d: { deploymentId: string; operationId: string }, by?: string) {
    const dep = await row(d.deploymentId);
    expect(dep.status).toBe('superseded');
    expect(dep.supersededById).not.toBeNull();
    if (by) expect(dep.supersededById).toBe(by);
    // Never by an older deploy.
    expect(dep.supersededById! > d.deploymentId).toBe(true);
    expect(dep.routingStartedAt).toBeNull();
    expect(dep.statusReason).toContain(`superseded by deployment ${dep.supersededById}`);
    const op = await operation(d.operationId);
    expect(op).toMatchObject({ state: 'superseded', errorCode: 'superseded' });
    expect(op.errorMessage).toContain(`was superseded by deployment ${dep.supersededById}`);
    const steps = await h.db.prisma.deploymentStep.findMany({ where: { ownerId: d.deploymentId }, orderBy: { position: 'asc' } });
    const notRun = steps.filter((s) => ['assign-routes', 'set-ready', 'update-live'].includes(s.name));
    expect(notRun.map((s) => s.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    for (const s of notRun) expect(s.error).toContain(`superseded by deployment ${dep.supersededById}`);
    // The step that noticed it says so too.
    expect(steps.some((s) => s.status === 'cancelled' && s.startedAt !== null && (s.error ?? '').includes('superseded'))).toBe(true);
    await eventually(async () => {
      if (!(await row(d.deploymentId)).compensatedAt) throw new Error(`${d.deploymentId} not compensated yet`);
    });
    expect(await h.krane.client.get(workspace, d.deploymentId)).toEqual([]);
    expect(await h.db.prisma.ingressRoute.count({ where: { deploymentId: d.deploymentId } })).toBe(0);
  }

  it('10 rapid deploys of one branch: only the last becomes live; the others are superseded and compensated (or had already started routing)', async () => {
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'rapid', project: 'shop' });
    // Requested back to back. 1-3 are healthy at once and may reach routing before the 10th (then they are routed and
    // then overtaken); 4-9 are still polling when the 10th reaches routing, so they must be superseded.
    const deploys: Array<{ deploymentId: string; operationId: string }> = [];
    for (let i = 1; i <= 10; i++) {
      const runtime = i >= 4 && i <= 9 ? slow : { env: {} };
      deploys.push(await h.deploy({ projectId: project.id, image: HELLO_API, git: { branch: 'main' }, runtime: { ...runtime, env: { ...runtime.env, VERSION: `v${i}` } } }, workspace.id));
    }
    const last = deploys[9];
    for (const d of deploys) await h.waitForOperation(d.operationId, 60_000);

    expect((await operation(last.operationId)).state).toBe('succeeded');
    const lastRow = await row(last.deploymentId);
    expect(lastRow).toMatchObject({ status: 'ready', supersededById: null });
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(last.deploymentId);

    const outcomes: Record<string, string> = {};
    for (const [i, d] of deploys.slice(0, 9).entries()) {
      const dep: Deployment = await row(d.deploymentId);
      outcomes[`v${i + 1}`] = dep.status;
      if (i >= 3) {
        await expectSuperseded(workspace.slug, d);
        continue;
      }
      // 1-3: superseded exactly like 4-9, or (the only other outcome accepted) they passed their cancel gate before
      // the 10th passed its own, so they were routed, ended ready, and the 10th overtook them: not live.
      if (dep.status === 'superseded') {
        await expectSuperseded(workspace.slug, d);
      } else {
        expect(dep.status).toBe('ready');
        expect(dep.supersededById).toBeNull();
        expect(dep.routingStartedAt!.getTime()).toBeLessThanOrEqual(lastRow.routingStartedAt!.getTime());
      }
    }
    console.log(`10 rapid deploys: ${JSON.stringify(outcomes)}; v10 live`);
    // What Krane still runs of this project: the last and those that were routed, nothing superseded.
    for (const d of deploys) {
      const status = (await row(d.deploymentId)).status;
      expect((await h.krane.client.get(workspace.slug, d.deploymentId)).length > 0).toBe(status === 'ready');
    }
    // Every live-ish route of production ends on the last.
    const liveRoutes = await h.db.prisma.ingressRoute.findMany({ where: { projectId: project.id, sticky: { in: ['live', 'environment', 'branch'] } } });
    expect(liveRoutes.length).toBeGreaterThan(0);
    for (const r of liveRoutes) expect(r.deploymentId).toBe(last.deploymentId);
  });

  it('leaves other branches, deploys without a branch and previews alone; deploys without a branch supersede each other', async () => {
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'branches', project: 'shop' });
    const deploy = (git: { branch?: string }, runtime: { env: Record<string, string> }, environment = 'production') =>
      h.deploy({ projectId: project.id, image: HELLO_API, environment, git, runtime }, workspace.id);
    const mainOld = await deploy({ branch: 'main' }, slow);
    const feature = await deploy({ branch: 'feature' }, slow);
    const noBranchOld = await deploy({}, slow);
    const previewMain = await deploy({ branch: 'main' }, slow, 'preview');
    const mainNew = await deploy({ branch: 'main' }, { env: {} });
    const noBranchNew = await deploy({}, { env: {} });
    for (const d of [mainOld, feature, noBranchOld, previewMain, mainNew, noBranchNew]) await h.waitForOperation(d.operationId, 60_000);

    await expectSuperseded(workspace.slug, mainOld, mainNew.deploymentId);
    await expectSuperseded(workspace.slug, noBranchOld, noBranchNew.deploymentId);
    for (const d of [feature, previewMain, mainNew, noBranchNew]) {
      expect((await operation(d.operationId)).state).toBe('succeeded');
      expect(await row(d.deploymentId)).toMatchObject({ status: 'ready', supersededById: null });
    }
    // The newest production deploy is live; the older feature deploy, routed later, did not take live from it (§8).
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(noBranchNew.deploymentId);
  });

  it('never supersedes a newer deploy: an older one that reaches routing first stops only what is older still', async () => {
    const { workspace, project } = await seedProject(h.db.prisma, { workspace: 'order', project: 'shop' });
    const deploy = (runtime: { env: Record<string, string> }) => h.deploy({ projectId: project.id, image: HELLO_API, git: { branch: 'main' }, runtime }, workspace.id);
    const oldest = await deploy(slow);
    const middle = await deploy({ env: {} }); // reaches routing first
    const newest = await deploy({ env: { HEALTHY_AFTER_MS: '3000' } }); // still polling then
    for (const d of [oldest, middle, newest]) await h.waitForOperation(d.operationId, 60_000);

    await expectSuperseded(workspace.slug, oldest, middle.deploymentId);
    const [m, n] = [await row(middle.deploymentId), await row(newest.deploymentId)];
    expect(m).toMatchObject({ status: 'ready', supersededById: null });
    expect(n).toMatchObject({ status: 'ready', supersededById: null, cancelRequestedAt: null });
    expect(m.routingStartedAt!.getTime()).toBeLessThan(n.routingStartedAt!.getTime());
    expect((await operation(newest.operationId)).state).toBe('succeeded');
    expect((await h.db.prisma.project.findUniqueOrThrow({ where: { id: project.id } })).liveDeploymentId).toBe(newest.deploymentId);
  });
});
