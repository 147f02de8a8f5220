import { Status } from 'nice-grpc';
import { HELLO_API } from '../support/engine-harness';
import { expectStatus, GrpcTestBed, insertDeployment, startGrpcTestBed } from './grpc-test-bed';

describe('gRPC Rollback and Promote return once live traffic is switched', () => {
  let bed: GrpcTestBed;
  beforeAll(async () => {
    bed = await startGrpcTestBed();
  });
  afterAll(async () => bed.close());

  const workspaceId = () => bed.seeded.workspace.id;
  const projectRow = () => bed.h.db.prisma.project.findUniqueOrThrow({ where: { id: bed.seeded.project.id } });
  const liveRoutes = () =>
    bed.h.db.prisma.ingressRoute.findMany({ where: { projectId: bed.seeded.project.id, sticky: { in: ['live', 'environment'] }, environmentId: bed.seeded.production.id } });
  async function deploy(version: string): Promise<string> {
    const r = await bed.h.deploy({ projectId: 'shop', image: HELLO_API, git: { branch: 'main' }, runtime: { env: { VERSION: version } } }, workspaceId());
    expect((await bed.h.waitForOperation(r.operationId)).state).toBe('succeeded');
    return r.deploymentId;
  }

  it('rolls back and pins, refuses a stale source, promotes and unpins, refuses a deployment that is not ready', async () => {
    const v1 = await deploy('v1');
    const v2 = await deploy('v2');
    expect((await projectRow()).liveDeploymentId).toBe(v2);
    const client = bed.client(bed.keys.deployer);

    // Returns only after the switch: the state is already there when the call answers.
    await client.rollback({ sourceDeploymentId: v2, targetDeploymentId: v1 });
    expect(await projectRow()).toMatchObject({
      liveDeploymentId: v1,
      isRolledBack: true,
      rolledBackBy: `grpc:${bed.keys.deployerId}`,
      rollbackReason: 'grpc rollback',
      rolledBackFromDeploymentId: v2,
    });
    const routes = await liveRoutes();
    expect(routes.length).toBe(2);
    expect(routes.every((r) => r.deploymentId === v1)).toBe(true);
    const rollbackOp = await bed.h.db.prisma.operation.findFirstOrThrow({ where: { kind: 'rollback' } });
    expect(rollbackOp).toMatchObject({ state: 'succeeded', deploymentId: v1, requestedBy: `grpc:${bed.keys.deployerId}` });

    // The caller still believes v2 is live: its view is stale.
    await expectStatus(client.rollback({ sourceDeploymentId: v2, targetDeploymentId: v1 }), Status.ABORTED, new RegExp(`expected ${v2} to be live, but ${v1} is`));
    await expectStatus(client.rollback({ sourceDeploymentId: '', targetDeploymentId: v1 }), Status.FAILED_PRECONDITION, /already live/);
    expect((await projectRow()).liveDeploymentId).toBe(v1);

    await bed.client(bed.keys.admin).promote({ targetDeploymentId: v2 });
    expect(await projectRow()).toMatchObject({ liveDeploymentId: v2, isRolledBack: false, rolledBackBy: null, rollbackReason: null });
    expect((await liveRoutes()).every((r) => r.deploymentId === v2)).toBe(true);

    const { project, production, preview } = bed.seeded;
    const pending = await insertDeployment(bed.h.db.prisma, { projectId: project.id, environmentId: production.id, status: 'pending' });
    await expectStatus(client.promote({ targetDeploymentId: pending.id }), Status.FAILED_PRECONDITION, new RegExp(`${pending.id} is pending; only a ready deployment can be promoted`));
    const previewReady = await insertDeployment(bed.h.db.prisma, { projectId: project.id, environmentId: preview.id, status: 'ready' });
    await expectStatus(client.rollback({ sourceDeploymentId: '', targetDeploymentId: previewReady.id }), Status.FAILED_PRECONDITION, /only production deployments/);
    await expectStatus(client.promote({ targetDeploymentId: v2 }), Status.FAILED_PRECONDITION, /already live and the project is not rolled back/);
    expect(await projectRow()).toMatchObject({ liveDeploymentId: v2, isRolledBack: false });
  });

  it('a switch whose flow fails answers with the mapped status and the operation id, and changes nothing', async () => {
    const live = (await projectRow()).liveDeploymentId!;
    const older = await bed.h.db.prisma.deployment.findFirstOrThrow({ where: { projectId: bed.seeded.project.id, status: 'ready', id: { not: live }, environmentId: bed.seeded.production.id, image: HELLO_API, instances: { some: {} } } });
    // The request-time checks pass (the row says ready); the flow asks Krane and finds nothing running.
    await bed.h.krane.client.delete(bed.seeded.workspace.slug, older.id);
    const err = await expectStatus(
      bed.client(bed.keys.deployer).rollback({ sourceDeploymentId: live, targetDeploymentId: older.id }),
      Status.FAILED_PRECONDITION,
      /^rollback op_[0-9a-z]{26} failed: check-instances: .*no running instances/,
    );
    const opId = /op_[0-9a-z]{26}/.exec(err.details)![0];
    expect(await bed.h.db.prisma.operation.findUniqueOrThrow({ where: { id: opId } })).toMatchObject({ state: 'failed', errorCode: 'no_running_instances' });
    expect(await projectRow()).toMatchObject({ liveDeploymentId: live, isRolledBack: false });
  });
});
