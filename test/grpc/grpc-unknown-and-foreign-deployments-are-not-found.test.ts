import { Status } from 'nice-grpc';
import { newId } from '../../src/ids';
import { seedProject } from '../support/seed';
import { expectStatus, GrpcTestBed, insertDeployment, startGrpcTestBed } from './grpc-test-bed';

describe('gRPC answers NOT_FOUND for unknown deployments and for deployments of other workspaces alike', () => {
  let bed: GrpcTestBed;
  let foreignPending: string;
  let foreignReady: string;
  let foreignLive: string;
  beforeAll(async () => {
    bed = await startGrpcTestBed({ workers: false });
    const prisma = bed.h.db.prisma;
    const other = await seedProject(prisma, { workspace: 'rival', project: 'shop' });
    foreignPending = (await insertDeployment(prisma, { projectId: other.project.id, environmentId: other.production.id, status: 'pending' })).id;
    foreignReady = (await insertDeployment(prisma, { projectId: other.project.id, environmentId: other.production.id, status: 'ready' })).id;
    foreignLive = (await insertDeployment(prisma, { projectId: other.project.id, environmentId: other.production.id, status: 'ready' })).id;
    await prisma.project.update({ where: { id: other.project.id }, data: { liveDeploymentId: foreignLive } });
  });
  afterAll(async () => bed.close());

  afterEach(async () => {
    expect(await bed.h.db.prisma.operation.count()).toBe(0);
    const rival = await bed.h.db.prisma.project.findFirstOrThrow({ where: { workspace: { slug: 'rival' } } });
    expect(rival).toMatchObject({ liveDeploymentId: foreignLive, isRolledBack: false });
  });

  it('an id nobody has', async () => {
    const unknown = newId('dep');
    const client = bed.client(bed.keys.admin);
    await expectStatus(client.deploy({ deploymentId: unknown }), Status.NOT_FOUND, `deployment ${unknown} not found`);
    await expectStatus(client.rollback({ sourceDeploymentId: '', targetDeploymentId: unknown }), Status.NOT_FOUND, `deployment ${unknown} not found`);
    await expectStatus(client.promote({ targetDeploymentId: unknown }), Status.NOT_FOUND, `deployment ${unknown} not found`);
  });

  it("another workspace's deployment, with the same answer as an unknown one", async () => {
    const client = bed.client(bed.keys.admin);
    await expectStatus(client.deploy({ deploymentId: foreignPending }), Status.NOT_FOUND, `deployment ${foreignPending} not found`);
    await expectStatus(client.rollback({ sourceDeploymentId: foreignLive, targetDeploymentId: foreignReady }), Status.NOT_FOUND, `deployment ${foreignReady} not found`);
    await expectStatus(client.promote({ targetDeploymentId: foreignReady }), Status.NOT_FOUND, `deployment ${foreignReady} not found`);
    expect((await bed.h.db.prisma.deployment.findUniqueOrThrow({ where: { id: foreignPending } })).status).toBe('pending');
  });
});
